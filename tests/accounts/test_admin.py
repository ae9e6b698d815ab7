"""Staff set a utility user's portal role on the user's page; a refused role sees the German 403 page."""

import pytest

from accounts.models import PortalRole
from tests.accounts.factories import UtilityUserFactory

pytestmark = pytest.mark.django_db


def test_staff_change_a_users_role_on_the_user_page(client, staff_user):
    user = UtilityUserFactory(username="marco", portal_role=PortalRole.VIEWER)
    client.force_login(staff_user)
    url = f"/admin/accounts/user/{user.pk}/change/"
    page = client.get(url).content.decode()

    assert '<option value="viewer" selected>Nur lesen</option>' in page
    assert '<option value="desk">LEG-Desk</option>' in page
    assert '<option value="approver">Abrechnung freigeben</option>' in page

    form = {
        "username": "marco",
        "utility": user.utility_id,
        "portal_role": "desk",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "07.12.2026",
        "date_joined_1": "05:00:00",
    }
    response = client.post(url, form)

    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.portal_role == "desk"
    assert '<td class="field-portal_role">LEG-Desk</td>' in client.get("/admin/accounts/user/").content.decode()


@pytest.mark.urls("tests.accounts.portal_role_urls")
def test_a_role_without_the_action_gets_the_german_403_page(client):
    client.force_login(UtilityUserFactory(portal_role=PortalRole.DESK))
    response = client.get("/utility/approve/")

    assert response.status_code == 403
    assert "<h1>Zugriff verweigert</h1>" in response.content.decode()

    client.force_login(UtilityUserFactory(portal_role=PortalRole.APPROVER))
    assert client.get("/utility/approve/").content == b"freigegeben"
