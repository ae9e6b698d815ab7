from datetime import date

import pytest
from django.urls import reverse

from communities.models import AuditEntry, MeteringPoint, Tariff
from openleg.periods import utc_now
from tests.communities.factories import MembershipFactory, TariffFactory

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "accounts_user",
    "pipeline_utility",
    "pipeline_municipality",
    "communities_community",
    "communities_participant",
    "communities_meteringpoint",
    "communities_membership",
    "communities_tariff",
    "communities_auditentry",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_every_model_has_an_admin_in_german(client, staff_user, page):
    MembershipFactory()
    TariffFactory()
    client.force_login(staff_user)
    response = client.get(reverse(f"admin:{page}_changelist"))
    assert response.status_code == 200
    assert 'lang="de-ch"' in response.content.decode()


def test_admin_edit_of_a_metering_point_is_audited_with_door_admin(client, staff_user):
    membership = MembershipFactory()
    metering_point = membership.metering_point
    client.force_login(staff_user)
    url = reverse("admin:communities_meteringpoint_change", args=[metering_point.pk])
    response = client.post(
        url,
        {
            "mp_id": metering_point.mp_id,
            "utility": metering_point.utility_id,
            "connection_capacity_kw": "30.000",
            "installed_capacity_kwp": "0",
            "transformer_circuit": "TS-9",
            "grid_level": "7",
            "has_smart_meter": "on",
            "site": "",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": membership.pk,
            "memberships-0-metering_point": metering_point.pk,
            "memberships-0-participant": membership.participant_id,
            "memberships-0-valid_from": "01.01.2026",
            "memberships-0-valid_to": "31.10.2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert MeteringPoint.objects.get(pk=metering_point.pk).transformer_circuit == "TS-9"
    entries = AuditEntry.objects.order_by("pk")
    assert [(e.model, e.door, e.actor_id) for e in entries] == [
        ("communities.MeteringPoint", "admin", staff_user.pk),
        ("communities.Membership", "admin", staff_user.pk),
    ]
    assert entries[1].changes == {"valid_to": [None, "2026-10-31"]}


def test_used_tariff_is_read_only_in_the_admin_except_its_end(client, staff_user):
    tariff = TariffFactory(valid_from=date(2026, 1, 1))
    Tariff.objects.filter(pk=tariff.pk).update(used_at=utc_now())
    client.force_login(staff_user)
    page = client.get(reverse("admin:communities_tariff_change", args=[tariff.pk])).content.decode()
    assert 'name="valid_to"' in page
    assert 'name="consumer_price_rp_kwh"' not in page
