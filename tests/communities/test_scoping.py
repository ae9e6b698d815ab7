"""Every read a utility user can reach is limited to its own utility; staff see all."""

import pytest
from django.contrib.auth.models import AnonymousUser

from communities import selectors
from openleg.errors import NotFound
from tests.accounts.factories import UtilityUserFactory
from tests.communities.factories import CommunityFactory, MembershipFactory, MeteringPointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_utilities():
    own = CommunityFactory(name="LEG Eigene")
    foreign = CommunityFactory(name="LEG Fremde")
    user = UtilityUserFactory(utility=own.utility)
    return user, own, foreign


def test_utility_user_sees_only_own_communities(two_utilities):
    user, own, foreign = two_utilities
    assert list(selectors.communities_visible_to(user)) == [own]
    assert selectors.community_get(user=user, pk=own.pk) == own
    with pytest.raises(NotFound):
        selectors.community_get(user=user, pk=foreign.pk)


def test_staff_sees_every_community(two_utilities, staff_user):
    _, _own, _foreign = two_utilities
    assert sorted(c.name for c in selectors.communities_visible_to(staff_user)) == ["LEG Eigene", "LEG Fremde"]


def test_anonymous_and_inactive_users_see_nothing(two_utilities):
    user, _, _ = two_utilities
    assert list(selectors.communities_visible_to(AnonymousUser())) == []
    user.is_active = False
    assert list(selectors.communities_visible_to(user)) == []


def test_metering_points_are_scoped(two_utilities):
    user, own, foreign = two_utilities
    mine = MeteringPointFactory(utility=own.utility)
    MeteringPointFactory(utility=foreign.utility)
    assert list(selectors.metering_points_visible_to(user)) == [mine]


def test_participants_of_a_foreign_community_are_not_listed(two_utilities):
    user, _own, foreign = two_utilities
    MembershipFactory(participant__community=foreign)
    assert list(selectors.participants_of(user=user, community=foreign)) == []


def test_portal_lists_own_communities_only(client, two_utilities):
    user, own, foreign = two_utilities
    client.force_login(user)
    page = client.get("/utility/").content.decode()
    assert "LEG Eigene" in page and "LEG Fremde" not in page
    assert client.get(f"/utility/communities/{own.pk}/").status_code == 200
    assert client.get(f"/utility/communities/{foreign.pk}/").status_code == 404


def test_portal_shows_participants_and_metering_points(client, two_utilities):
    user, own, _ = two_utilities
    membership = MembershipFactory(participant__community=own, metering_point__utility=own.utility)
    client.force_login(user)
    page = client.get(f"/utility/communities/{own.pk}/").content.decode()
    assert membership.metering_point.mp_id in page
    assert membership.participant.display_name in page
    assert "Teilnehmende und Messpunkte" in page


def test_portal_needs_a_login(client):
    response = client.get("/utility/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/utility/"


def test_utility_user_cannot_enter_the_admin(client, two_utilities):
    user, _, _ = two_utilities
    client.force_login(user)
    response = client.get("/admin/communities/community/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
