"""The community page links what belongs to it: its billing runs, its meter data and its tariffs."""

from datetime import date

import pytest

from tests.communities.factories import CommunityFactory, MembershipFactory, MeteringPointFactory

pytestmark = pytest.mark.django_db


def test_the_community_page_links_its_runs_meter_data_and_tariffs(staff):
    community = CommunityFactory()
    page = staff.get(f"/admin/communities/community/{community.pk}/change/").content.decode()

    pk = community.pk
    assert f'<a class="ol-btn ol-btn-secondary" href="/admin/billing/billingrun/?community__id__exact={pk}">' in page
    assert f'<a class="ol-btn ol-btn-secondary" href="/admin/metering/meteringpointdata/?community={pk}">' in page
    assert f'<a class="ol-btn ol-btn-secondary" href="/admin/communities/tariff/?community__id__exact={pk}">' in page
    for label in ("Abrechnungsläufe", "Messdaten", "Tarife"):
        assert f">{label}</a>" in page


def test_the_meter_data_list_of_a_community_holds_exactly_its_points_once(staff):
    first = MembershipFactory(valid_to=date(2026, 6, 30))
    community = first.participant.community
    second = MembershipFactory(participant__community=community)
    MembershipFactory(participant=first.participant, metering_point=first.metering_point, valid_from=date(2027, 1, 1))
    MembershipFactory()  # another community
    MeteringPointFactory(utility=community.utility)  # in the grid, in no community

    response = staff.get(f"/admin/metering/meteringpointdata/?community={community.pk}")

    shown = [point.mp_id for point in response.context["cl"].result_list]
    assert sorted(shown) == sorted([first.metering_point.mp_id, second.metering_point.mp_id])
