"""How the outcome comes back: DeepSign's callback (never trusted, only a reason to ask) and the polling task."""

import pytest
import responses
from django_celery_beat.models import PeriodicTask

from communities.models import AuditEntry
from documents.models import SignatureRequest, SignatureRequestState
from documents.tasks import poll_signature_requests
from tests.documents.test_deepsign import BASE, DOC_ID, TOKEN_URL, add_token, configure, recorded
from tests.documents.test_signing import STATUS_URL, in_progress, mock_status, signed_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def deepsign_on(settings, monkeypatch):
    configure(settings, monkeypatch)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    from documents.pdf import html_to_pdf

    return html_to_pdf("<h1>Teilnehmervertrag</h1>")


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


def callback(client, token: str, body: dict | None = None):
    return client.post(f"/documents/deepsign/callback/{token}/", data=body or {}, content_type="application/json")


def snapshot(request: SignatureRequest) -> tuple:
    request.refresh_from_db()
    return (request.state, request.last_status, request.last_checked_at, request.document.signature_state)


# --- callback ------------------------------------------------------------------------------------------------------


def test_an_unknown_token_is_404_and_changes_nothing(client, pdf, rsps):
    request = in_progress(pdf)
    before = snapshot(request)

    response = callback(client, "not-the-token", {"documentId": DOC_ID, "documentStatus": "signed"})

    assert response.status_code == 404
    assert (snapshot(request), len(rsps.calls)) == (before, 0)


def test_the_right_token_reads_the_status_back_and_ignores_what_the_body_claims(client, pdf, rsps):
    request = in_progress(pdf)
    mock_status(rsps, "status-in-progress")

    response = callback(client, request.callback_token, {"documentId": DOC_ID, "documentStatus": "signed"})

    assert (response.status_code, response.content) == (204, b"")
    assert [call.request.url for call in rsps.calls] == [TOKEN_URL, STATUS_URL]
    request.refresh_from_db()
    assert (request.state, request.last_status) == ("in_progress", recorded("status-in-progress"))


def test_the_right_token_with_a_signed_status_stores_the_signed_pdf(client, pdf, rsps):
    request = in_progress(pdf)
    mock_status(rsps, "status-signed", signed=signed_version(pdf))

    response = callback(client, request.callback_token)

    assert response.status_code == 204
    request.refresh_from_db()
    assert (request.state, request.signed_file.read()) == ("signed", signed_version(pdf))
    assert AuditEntry.objects.get(model="documents.Document").door == "api"


DOCUMENT_COMPLETED = {
    "eventType": "document-completed",
    "documentId": DOC_ID,
    "signeeId": None,
    "timestamp": "2026-03-03T14:02:12.000+00:00",
}


def test_deepsigns_event_body_makes_us_read_the_status_and_store_the_signed_pdf(client, pdf, rsps, caplog):
    request = in_progress(pdf)
    mock_status(rsps, "status-signed", signed=signed_version(pdf))
    caplog.set_level("INFO", logger="documents.views")

    response = callback(client, request.callback_token, DOCUMENT_COMPLETED)

    assert response.status_code == 204
    request.refresh_from_db()
    assert (request.state, request.signed_file.read()) == ("signed", signed_version(pdf))
    assert [record.getMessage() for record in caplog.records if record.name == "documents.views"] == [
        f"DeepSign event 'document-completed' for signature request {request.pk} (signee None, "
        "2026-03-03T14:02:12.000+00:00)"
    ]


def test_a_signee_completed_event_records_the_status_while_others_still_sign(client, pdf, rsps):
    request = in_progress(pdf)
    mock_status(rsps, "status-in-progress")
    body = {**DOCUMENT_COMPLETED, "eventType": "signee-completed", "signeeId": "56f16b80-0058-44d8-bf33-2847612b24b1"}

    assert callback(client, request.callback_token, body).status_code == 204

    request.refresh_from_db()
    assert (request.state, request.last_status) == ("in_progress", recorded("status-in-progress"))


def test_an_event_about_another_document_is_404_and_asks_nothing(client, pdf, rsps):
    request = in_progress(pdf)
    before = snapshot(request)

    response = callback(client, request.callback_token, {**DOCUMENT_COMPLETED, "documentId": "another-document"})

    assert response.status_code == 404
    assert (snapshot(request), len(rsps.calls)) == (before, 0)


def test_a_body_that_is_not_json_still_only_makes_us_ask(client, pdf, rsps):
    request = in_progress(pdf)
    mock_status(rsps, "status-in-progress")

    response = client.post(
        f"/documents/deepsign/callback/{request.callback_token}/", data=b"\x00not json", content_type="text/plain"
    )

    assert response.status_code == 204
    assert [call.request.url for call in rsps.calls] == [TOKEN_URL, STATUS_URL]


def test_during_deepsigns_maintenance_the_callback_answers_503(client, pdf, rsps):
    request = in_progress(pdf)
    add_token(rsps)
    rsps.add(responses.GET, STATUS_URL, status=503, headers={"Retry-After": "120"})

    response = callback(client, request.callback_token, DOCUMENT_COMPLETED)

    assert response.status_code == 503
    request.refresh_from_db()
    assert (request.state, request.error) == (
        "in_progress",
        "DeepSign: vorübergehend nicht verfügbar (Wartung) bei Statusabfrage (HTTP 503). "
        "Bitte in 120 Sekunden erneut versuchen.",
    )


def test_the_callback_takes_no_csrf_token_but_only_post(pdf, rsps):
    from django.test import Client

    request = in_progress(pdf)
    mock_status(rsps, "status-in-progress")
    strict = Client(enforce_csrf_checks=True)

    assert strict.get(f"/documents/deepsign/callback/{request.callback_token}/").status_code == 405
    assert callback(strict, request.callback_token).status_code == 204


def test_when_deepsign_cannot_be_asked_the_callback_answers_503_so_it_may_be_sent_again(client, pdf, rsps):
    request = in_progress(pdf)
    add_token(rsps)
    rsps.add(responses.GET, STATUS_URL, status=500)

    response = callback(client, request.callback_token)

    assert response.status_code == 503
    request.refresh_from_db()
    assert (request.state, request.error) == ("in_progress", "DeepSign: Statusabfrage fehlgeschlagen (HTTP 500).")


# --- polling -------------------------------------------------------------------------------------------------------


def second_request(pdf) -> SignatureRequest:
    request = in_progress(pdf)
    SignatureRequest.objects.filter(pk=request.pk).update(provider_document_id="second-document")
    request.refresh_from_db()
    return request


def test_polling_refreshes_every_running_request_and_one_failure_does_not_stop_the_others(pdf, rsps):
    failing = in_progress(pdf)
    running = second_request(pdf)
    settled = in_progress(pdf)
    SignatureRequest.objects.filter(pk=settled.pk).update(state=SignatureRequestState.SIGNED, provider_document_id="x")
    add_token(rsps)
    rsps.add(responses.GET, STATUS_URL, status=500)
    rsps.add(responses.GET, f"{BASE}/documents/second-document", json=recorded("status-rejected"))

    assert poll_signature_requests() == 1

    assert [call.request.url for call in rsps.calls] == [TOKEN_URL, STATUS_URL, f"{BASE}/documents/second-document"]
    failing.refresh_from_db()
    running.refresh_from_db()
    assert (failing.state, failing.error) == ("in_progress", "DeepSign: Statusabfrage fehlgeschlagen (HTTP 500).")
    assert running.state == "declined"


@pytest.mark.parametrize("http_status", [429, 503])
def test_polling_stops_the_round_when_deepsign_is_busy_or_in_maintenance(pdf, rsps, http_status):
    in_progress(pdf)
    second_request(pdf)
    add_token(rsps)
    rsps.add(responses.GET, STATUS_URL, status=http_status)

    assert poll_signature_requests() == 0

    assert [call.request.url for call in rsps.calls] == [TOKEN_URL, STATUS_URL]


def test_polling_without_running_requests_needs_no_credentials(settings, rsps):
    settings.DEEPSIGN_CLIENT_ID = ""

    assert poll_signature_requests() == 0
    assert len(rsps.calls) == 0


def test_polling_without_credentials_refreshes_nothing(settings, pdf, rsps):
    in_progress(pdf)
    settings.DEEPSIGN_CLIENT_ID = ""

    assert poll_signature_requests() == 0
    assert len(rsps.calls) == 0


def test_beat_polls_every_fifteen_minutes():
    entry = PeriodicTask.objects.select_related("crontab").get(name="DeepSign: laufende Unterschriften abfragen")

    assert (entry.task, entry.crontab.minute, entry.crontab.hour, str(entry.crontab.timezone)) == (
        "documents.tasks.poll_signature_requests",
        "*/15",
        "*",
        "Europe/Zurich",
    )
    assert (entry.kwargs, entry.enabled) == ("{}", True)


# --- token shape ---------------------------------------------------------------------------------------------------

MALFORMED_TOKENS = {
    "nul byte": "%00",
    "nul inside a valid-looking token": "A" * 20 + "%00" + "A" * 22,
    "overlong": "A" * 44,
    "one short": "A" * 42,
    "outside the alphabet": "A" * 42 + "~",
}


def assert_404_without_a_query(client, token: str, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = callback(client, token)
    assert response.status_code == 404


@pytest.mark.parametrize("token", MALFORMED_TOKENS.values(), ids=MALFORMED_TOKENS.keys())
def test_a_malformed_token_is_404_without_a_database_query(client, pdf, rsps, token, django_assert_num_queries):
    request = in_progress(pdf)
    before = snapshot(request)

    assert_404_without_a_query(client, token, django_assert_num_queries)
    assert (snapshot(request), len(rsps.calls)) == (before, 0)


def test_a_valid_looking_unknown_token_is_404(client, pdf, rsps):
    request = in_progress(pdf)
    before = snapshot(request)

    response = callback(client, "B" * 43)

    assert response.status_code == 404
    assert (snapshot(request), len(rsps.calls)) == (before, 0)


@pytest.mark.postgres
@pytest.mark.parametrize("token", MALFORMED_TOKENS.values(), ids=MALFORMED_TOKENS.keys())
def test_on_postgresql_a_malformed_token_is_404_not_a_500(client, pdf, rsps, token):
    in_progress(pdf)

    assert callback(client, token).status_code == 404


def test_the_tokens_we_make_have_the_shape_the_callback_accepts():
    from documents.models.signatures import is_callback_token, new_callback_token

    assert [is_callback_token(new_callback_token()) for _ in range(200)] == [True] * 200
