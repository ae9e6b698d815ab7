"""A key in either header authenticates; no key, an unknown, revoked or inactive one answers 401 in the error shape."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.b2b.keys import api_key_revoke
from api.models import ApiClient, ApiKey
from tests.api.b2b.conftest import STATUS_URL

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.mark.parametrize("header", ["bearer", "x-api-key"])
def test_a_key_in_either_header_opens_status(make_key, keyed, header):
    new = make_key()
    answer = keyed(new.secret, header=header).get(STATUS_URL)
    assert (answer.status_code, answer.json()["client"]["company"]) == (200, "Solarplan AG")


def error(answer) -> tuple:
    body = answer.json()["error"]
    return answer.status_code, body["code"], body["message"]


def test_without_a_key_401(client):
    assert error(client.get(STATUS_URL)) == (
        401, "not_authenticated",
        "Anmeldung fehlt: bitte den Header «Authorization: Bearer olk_…» oder «X-API-Key: olk_…» mitsenden.",
    )


@pytest.mark.parametrize("header", ["bearer", "x-api-key"])
def test_an_unknown_key_401(db, keyed, header):
    assert error(keyed("olk_unknown", header=header).get(STATUS_URL)) == (
        401, "key_invalid", "Unbekannter API-Schlüssel."
    )


def test_an_agent_token_is_no_b2b_key(keyed):
    from api.tokens import agent_token_create

    agent = agent_token_create(name="LEA", scopes=["billing:read"])
    assert error(keyed(agent.secret).get(STATUS_URL))[:2] == (401, "key_invalid")


def test_a_revoked_key_and_an_inactive_client_401(make_key, keyed):
    revoked, inactive = make_key(), make_key(company="Alt AG")
    api_key_revoke(prefix=revoked.key.prefix)
    ApiClient.objects.filter(company="Alt AG").update(active=False)
    assert error(keyed(revoked.secret).get(STATUS_URL)) == (401, "key_revoked", "Dieser API-Schlüssel ist widerrufen.")
    assert error(keyed(inactive.secret).get(STATUS_URL)) == (
        401, "client_inactive", "Der Zugang dieses API-Kunden ist deaktiviert."
    )


def test_the_last_use_is_written_at_most_once_a_minute(make_key, keyed):
    new = make_key()
    client = keyed(new.secret)
    client.get(STATUS_URL)
    first = ApiKey.objects.get().last_used_at
    client.get(STATUS_URL)
    assert ApiKey.objects.get().last_used_at == first
    ApiKey.objects.update(last_used_at=first - timedelta(minutes=2))
    client.get(STATUS_URL)
    assert ApiKey.objects.get().last_used_at > first
    assert timezone.now() - ApiKey.objects.get().last_used_at < timedelta(seconds=30)
