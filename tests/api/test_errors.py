"""Every failure answers in the one shape, with a stable code and a German message."""

import kombu.exceptions
import pytest
import redis.exceptions
from django.db import OperationalError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.test import APIClient

from api.errors import ApiError
from api.exceptions import api_exception_handler

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def handle(exc, method="GET"):
    class Request:
        pass

    request = Request()
    request.method = method
    return api_exception_handler(exc, {"request": request, "view": None})


def test_an_api_error_keeps_its_code_message_status_and_details():
    response = handle(ApiError("scope_missing", "Fehlt.", status=403, details={"scope": "billing:read"}))
    assert (response.status_code, response.data) == (
        403, {"error": {"code": "scope_missing", "message": "Fehlt.", "details": {"scope": "billing:read"}}}
    )


@pytest.mark.parametrize(
    ("exc", "status", "code", "message"),
    [
        (exceptions.NotFound(), 404, "not_found", "Diese Adresse gibt es nicht."),
        (Http404(), 404, "not_found", "Diese Adresse gibt es nicht."),
        (exceptions.PermissionDenied(), 403, "permission_denied", "Dafür fehlt die Berechtigung."),
        (exceptions.ParseError(), 400, "malformed_request", "Der Inhalt ist kein gültiges JSON."),
        (
            exceptions.UnsupportedMediaType("text/plain"), 415, "unsupported_media_type",
            "Bitte den Inhalt als JSON senden (Content-Type: application/json).",
        ),
        (exceptions.MethodNotAllowed("PUT"), 405, "method_not_allowed", "Die Methode PUT ist hier nicht erlaubt."),
        (
            exceptions.NotAuthenticated(), 401, "not_authenticated",
            "Anmeldung fehlt: bitte den Header «Authorization: Bearer <Token>» mitsenden.",
        ),
        (
            exceptions.AuthenticationFailed("Dieses Token ist widerrufen.", code="token_revoked"), 401,
            "token_revoked", "Dieses Token ist widerrufen.",
        ),
    ],
)
def test_drf_failures_become_the_shape(exc, status, code, message):
    response = handle(exc, method="PUT")
    assert response.status_code == status
    assert response.data == {"error": {"code": code, "message": message, "details": {}}}


def test_a_validation_error_names_each_field():
    response = handle(exceptions.ValidationError({"month": ["Ungültig."], "community": ["Fehlt."]}))
    assert response.status_code == 400
    assert response.data == {
        "error": {
            "code": "invalid",
            "message": "Ungültige Angaben: community, month.",
            "details": {"fields": {"month": ["Ungültig."], "community": ["Fehlt."]}},
        }
    }


def test_a_validation_error_without_fields_is_a_non_field_error():
    response = handle(exceptions.ValidationError("Nein."))
    assert response.data["error"]["details"] == {"fields": {"non_field_errors": ["Nein."]}}


def test_throttled_answers_429_with_the_wait_and_retry_after():
    response = handle(exceptions.Throttled(wait=12.2))
    assert response.status_code == 429
    assert response["Retry-After"] == "13"
    assert response.data == {
        "error": {
            "code": "throttled",
            "message": "Zu viele Aufrufe. Bitte in 13 Sekunden wieder versuchen.",
            "details": {"limit": "rate", "retry_after_seconds": 13},
        }
    }


@pytest.mark.parametrize(
    ("exc", "service", "sentence"),
    [
        (OperationalError("terminating connection due to administrator command"), "database", "Die Datenbank"),
        (redis.exceptions.ConnectionError("Error 111 connecting"), "redis", "Der Zwischenspeicher (Redis)"),
        (redis.exceptions.TimeoutError("Timeout reading from socket"), "redis", "Der Zwischenspeicher (Redis)"),
        (
            kombu.exceptions.OperationalError("Error 111 connecting"), "broker",
            "Die Warteschlange der Hintergrundaufträge",
        ),
    ],
)
def test_an_unreachable_service_answers_503_with_retry_after(exc, service, sentence, caplog):
    response = handle(exc)
    assert (response.status_code, response["Retry-After"]) == (503, "10")
    assert response.data == {
        "error": {
            "code": "service_unavailable",
            "message": f"{sentence} ist im Moment nicht erreichbar. Bitte in 10 Sekunden wieder versuchen.",
            "details": {"service": service, "retry_after_seconds": 10},
        }
    }
    assert [record.levelname for record in caplog.records] == ["WARNING"]


def test_an_unexpected_exception_answers_500_server_error_without_its_text(caplog):
    response = handle(RuntimeError("database password is hunter2"))
    assert response.status_code == 500
    assert response.data == {
        "error": {
            "code": "server_error",
            "message": "Ein unerwarteter Fehler ist aufgetreten. Er wurde protokolliert.",
            "details": {},
        }
    }
    assert "hunter2" not in str(response.data)
    assert "API view" in caplog.text


def test_an_unknown_address_under_api_answers_404_in_the_shape():
    response = APIClient().post("/api/nothing/here/", {}, format="json")
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found", "message": "Diese Adresse gibt es nicht.", "details": {"path": "/api/nothing/here/"}
        }
    }
