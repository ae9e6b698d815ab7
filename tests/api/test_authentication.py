from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.agent.registry import TOOLS
from api.authentication import note_use
from api.models import AgentToken
from api.tokens import agent_token_revoke

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

TOOLS_URL = "/api/agent/v1/"


def test_a_valid_bearer_token_is_the_requests_auth(make_token, bearer):
    new = make_token(scopes=["billing:read"])
    response = bearer(new.secret).get(TOOLS_URL)
    assert response.status_code == 200
    assert [tool["name"] for tool in response.json()["tools"]] == sorted(
        name for name, tool in TOOLS.items() if tool.scope in ("", "billing:read")
    )


def test_no_header_answers_401_with_the_shape_and_the_bearer_challenge(db):
    response = APIClient().get(TOOLS_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Anmeldung fehlt: bitte den Header «Authorization: Bearer <Token>» mitsenden.",
            "details": {},
        }
    }


def test_an_unknown_token_answers_401_token_invalid(db, bearer):
    response = bearer("olat_not-a-real-secret").get(TOOLS_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {"error": {"code": "token_invalid", "message": "Unbekanntes Token.", "details": {}}}


def test_a_revoked_token_answers_401_token_revoked(make_token, bearer):
    new = make_token()
    agent_token_revoke(prefix=new.token.prefix)
    response = bearer(new.secret).get(TOOLS_URL)
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "token_revoked", "message": "Dieses Token ist widerrufen.", "details": {}
    }


def test_an_expired_token_answers_401_token_expired(make_token, bearer):
    new = make_token(expires_at=timezone.now() + timedelta(days=1))
    AgentToken.objects.filter(pk=new.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = bearer(new.secret).get(TOOLS_URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"
    assert response.json()["error"]["message"] == "Dieses Token ist abgelaufen."


def test_a_bearer_header_with_two_words_is_malformed(make_token):
    new = make_token()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {new.secret} extra")
    response = client.get(TOOLS_URL)
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "token_malformed", "message": "Der Header muss «Authorization: Bearer <Token>» lauten.", "details": {}
    }


def test_a_session_of_a_logged_in_staff_user_is_no_api_login(staff):
    response = staff.get(TOOLS_URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_first_call_records_the_last_use(make_token, bearer):
    new = make_token()
    before = timezone.now()
    bearer(new.secret).get(TOOLS_URL)
    new.token.refresh_from_db()
    assert before <= new.token.last_used_at <= timezone.now()


def test_last_use_is_written_at_most_once_a_minute(make_token, django_assert_num_queries):
    token = make_token().token
    moment = timezone.now()
    note_use(token, now=moment)
    with django_assert_num_queries(0):
        note_use(token, now=moment + timedelta(seconds=59))
    token.refresh_from_db()
    assert token.last_used_at == moment
    note_use(token, now=moment + timedelta(seconds=60))
    token.refresh_from_db()
    assert token.last_used_at == moment + timedelta(seconds=60)


def test_a_stale_copy_does_not_overwrite_a_newer_use(make_token):
    token = make_token().token
    moment = timezone.now()
    AgentToken.objects.filter(pk=token.pk).update(last_used_at=moment)
    token.last_used_at = moment - timedelta(minutes=5)  # another process wrote meanwhile
    note_use(token, now=moment + timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == moment


def test_two_calls_within_a_minute_write_the_last_use_once(make_token, bearer, django_assert_num_queries):
    new = make_token()
    client = bearer(new.secret)
    client.get(TOOLS_URL)
    with django_assert_num_queries(1):  # the token lookup only
        assert client.get(TOOLS_URL).status_code == 200
