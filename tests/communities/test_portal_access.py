"""The portal is the utilities' desk: every user of a utility may look (any role), staff work in the admin and get
403 here, anonymous visitors go to the login."""

import pytest

from tests.accounts.factories import UtilityUserFactory
from tests.communities.factories import CommunityFactory

pytestmark = pytest.mark.django_db


def portal_urls(community) -> list[str]:
    return ["/utility/", f"/utility/communities/{community.pk}/"]


@pytest.mark.parametrize("role", ["viewer", "desk", "approver"])
def test_every_role_of_the_utility_may_look(client, role):
    community = CommunityFactory()
    client.force_login(UtilityUserFactory(utility=community.utility, portal_role=role))

    assert [client.get(url).status_code for url in portal_urls(community)] == [200, 200]


def test_staff_get_403_in_the_portal_and_anonymous_visitors_the_login(client, staff_user):
    community = CommunityFactory()

    anonymous = [client.get(url) for url in portal_urls(community)]
    client.force_login(staff_user)
    staff = [client.get(url).status_code for url in portal_urls(community)]

    assert [(r.status_code, r.url.split("?")[0]) for r in anonymous] == [(302, "/accounts/login/")] * 2
    assert staff == [403, 403]
