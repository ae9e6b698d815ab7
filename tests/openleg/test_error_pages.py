"""With DEBUG off, every error page is German, in the product's layout, and names no Django internals."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.openleg.error_urls")]

LAYOUT = "<strong>OpenLEG</strong>"
ENGLISH = ("Not Found", "Server Error", "Bad Request", "Forbidden", "CSRF verification failed", "requested resource")


@pytest.fixture(autouse=True)
def debug_off(settings):
    settings.DEBUG = False


def page(response, status: int) -> str:
    assert response.status_code == status
    body = response.content.decode()
    assert LAYOUT in body
    assert '<a href="/">Zur Startseite</a>' in body
    assert [phrase for phrase in ENGLISH if phrase in body] == []
    assert "ß" not in body
    return body


def test_404_page(client):
    body = page(client.get("/gibt-es-nicht/"), 404)
    assert "<title>Seite nicht gefunden · OpenLEG</title>" in body
    assert "<h1>Seite nicht gefunden</h1>" in body
    assert "Die angeforderte Seite gibt es nicht (mehr). Bitte prüfen Sie die Adresse." in body


def test_404_page_of_the_admin_for_staff(staff):
    body = page(staff.get("/admin/communities/gibt-es-nicht/"), 404)
    assert "<h1>Seite nicht gefunden</h1>" in body


def test_500_page():
    client = Client(raise_request_exception=False)
    body = page(client.get("/test-errors/500/"), 500)
    assert "<title>Serverfehler · OpenLEG</title>" in body
    assert "Beim Bearbeiten Ihrer Anfrage ist ein Fehler aufgetreten." in body
    assert "RuntimeError" not in body and "a bug" not in body


def test_403_page(client):
    body = page(client.get("/test-errors/403/"), 403)
    assert "<h1>Zugriff verweigert</h1>" in body
    assert "Sie haben keine Berechtigung für diese Seite." in body


def test_400_page(client):
    body = page(client.get("/test-errors/400/"), 400)
    assert "<h1>Ungültige Anfrage</h1>" in body
    assert "a tampered request" not in body


def test_400_page_for_a_host_not_served(client):
    body = page(client.get("/accounts/login/", HTTP_HOST="evil.example"), 400)
    assert "<h1>Ungültige Anfrage</h1>" in body


def test_csrf_failure_page():
    client = Client(enforce_csrf_checks=True)
    body = page(client.post("/accounts/login/", {"username": "a", "password": "b"}), 403)
    assert "<h1>Sicherheitsprüfung fehlgeschlagen</h1>" in body
    assert "Das Formular konnte nicht überprüft werden (CSRF-Schutz)." in body
    assert "Bleibt der Fehler, erlauben Sie Cookies für diese Website und melden Sie sich neu an." in body


@pytest.mark.parametrize(
    ("path", "sentence"),
    [
        ("/test-errors/database/", "Die Datenbank ist im Moment nicht erreichbar."),
        ("/test-errors/redis/", "Der Zwischenspeicher (Redis) ist im Moment nicht erreichbar."),
        ("/test-errors/broker/", "Die Warteschlange der Hintergrundaufträge ist im Moment nicht erreichbar."),
    ],
)
def test_an_unreachable_service_answers_503_and_names_it(path, sentence):
    response = Client(raise_request_exception=False).get(path)
    body = page(response, 503)
    assert response["Retry-After"] == "10"
    assert "<title>Vorübergehend nicht verfügbar · OpenLEG</title>" in body
    assert "<h1>Vorübergehend nicht verfügbar</h1>" in body
    assert f"<p>{sentence} Bitte versuchen Sie es in einer Minute erneut.</p>" in body
    assert "Error 111" not in body and "5432" not in body


def test_a_failure_outside_the_api_views_under_api_answers_in_the_api_shape():
    client = Client(raise_request_exception=False)
    down = client.get("/api/test-errors/database/")
    assert (down.status_code, down["Content-Type"], down["Retry-After"]) == (503, "application/json", "10")
    assert down.json() == {
        "error": {
            "code": "service_unavailable",
            "message": "Die Datenbank ist im Moment nicht erreichbar. Bitte in 10 Sekunden wieder versuchen.",
            "details": {"service": "database", "retry_after_seconds": 10},
        }
    }
    bug = client.get("/api/test-errors/500/")
    assert (bug.status_code, bug.json()["error"]["code"]) == (500, "server_error")
