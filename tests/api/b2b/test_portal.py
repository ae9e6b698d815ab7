"""The portal's API keys: only the approver role; a new key's secret shown once; a portal key opens the API end to
end; revocation with a confirmation; another utility's key is not found."""

import re

import pytest
from rest_framework.test import APIClient

from accounts.models import PortalRole
from api.models import ApiClient, ApiKey
from api.tokens import secret_hash
from subscriptions.models import UtilitySubscription
from tests.accounts.factories import UtilityUserFactory
from tests.api.b2b.conftest import STATUS_URL

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

PAGE = "/utility/api-keys/"


@pytest.fixture
def approver(client):
    user = UtilityUserFactory(portal_role=PortalRole.APPROVER)
    client.force_login(user)
    return client, user


def created_secret(answer) -> str:
    return re.search(r'<code class="secret">(olk_[^<]+)</code>', answer.content.decode()).group(1)


@pytest.mark.parametrize("role", [PortalRole.VIEWER, PortalRole.DESK])
def test_only_the_approver_role_manages_keys(client, role):
    client.force_login(UtilityUserFactory(portal_role=role))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"name": "x"}).status_code == 403


def test_anonymous_users_go_to_the_login(client):
    assert client.get(PAGE).status_code == 302


def test_a_key_made_in_the_portal_is_shown_once_and_opens_the_api(approver):
    client, user = approver
    UtilitySubscription.objects.create(utility=user.utility, plan_key="professional", api_tier="professional")
    assert "Noch keine Schlüssel." in client.get(PAGE).content.decode()
    answer = client.post(PAGE, {"name": "Netzplanung"})
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    secret = created_secret(answer)
    key = ApiKey.objects.get()
    assert (key.name, key.created_by, key.secret_hash, key.client.utility) == (
        "Netzplanung", user, secret_hash(secret), user.utility
    )
    page = client.get(PAGE).content.decode()
    assert secret not in page and f"{key.prefix}…" in page and "Ihre Stufe: Professional." in page
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    status = api.get(STATUS_URL)
    assert status.status_code == 200
    assert (status.json()["client"]["utility_id"], status.json()["tier"]) == (user.utility.pk, "professional")
    assert ApiKey.objects.get().last_used_at is not None


def test_a_withdrawn_tier_is_said_on_the_page(approver):
    client, user = approver
    UtilitySubscription.objects.create(utility=user.utility, plan_key="starter", status="canceled", api_tier="")
    client.post(PAGE, {"name": "Netzplanung"})
    assert "Ihre Stufe: keine (Ihr Abonnement gewährt zurzeit keinen API-Zugang)." in client.get(PAGE).content.decode()


def test_a_second_key_joins_the_same_client_and_a_name_is_required(approver):
    client, _user = approver
    client.post(PAGE, {"name": "Eins"})
    client.post(PAGE, {"name": "Zwei"})
    assert (ApiClient.objects.count(), ApiKey.objects.count()) == (1, 2)
    answer = client.post(PAGE, {"name": ""})
    assert "Dieses Feld ist zwingend erforderlich." in answer.content.decode()
    assert ApiKey.objects.count() == 2


def test_revoking_asks_first_then_the_key_stops_working(approver):
    client, _user = approver
    secret = created_secret(client.post(PAGE, {"name": "Netzplanung"}))
    key = ApiKey.objects.get()
    confirm = client.get(f"/utility/api-keys/{key.pk}/revoke/")
    assert confirm.status_code == 200
    assert f"Der Schlüssel {key.prefix}… wird sofort ungültig" in confirm.content.decode()
    assert ApiKey.objects.get().revoked_at is None
    done = client.post(f"/utility/api-keys/{key.pk}/revoke/", follow=True)
    assert "Der Schlüssel «Netzplanung» ist widerrufen." in done.content.decode()
    assert ApiKey.objects.get().revoked_at is not None
    api = APIClient()
    api.credentials(HTTP_X_API_KEY=secret)
    assert api.get(STATUS_URL).json()["error"]["code"] == "key_revoked"
    assert client.post(f"/utility/api-keys/{key.pk}/revoke/").status_code == 404  # already revoked


def test_another_utility_s_key_is_not_found(approver, make_key):
    client, _user = approver
    other = UtilityUserFactory(portal_role=PortalRole.APPROVER)
    foreign = make_key(utility=other.utility).key
    staff_made = make_key().key  # a client without a utility
    for key in (foreign, staff_made):
        assert client.get(f"/utility/api-keys/{key.pk}/revoke/").status_code == 404
        assert client.post(f"/utility/api-keys/{key.pk}/revoke/").status_code == 404
    assert ApiKey.objects.filter(revoked_at__isnull=False).count() == 0
    assert foreign.prefix not in client.get(PAGE).content.decode()
