"""The DeepSign HTTP client against recorded-style answers: only the HTTP layer is replaced (responses)."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import responses
from responses import matchers

from documents import deepsign
from documents.deepsign import DeepSignClient, DeepSignConfig, DeepSignError, DeepSignNotConfigured

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "deepsign"
BASE = "https://api.sign.deepbox.swiss/api/v1"
TOKEN_URL = "https://deepcloud.swiss/auth/realms/sso/protocol/openid-connect/token"
PUBLIC_URL = "https://openleg.example.ch"
COMPANY_ID = "09795a43-baaf-48ae-91a6-a533168f803a"
DOC_ID = "bb602c43-caae-4656-a447-233b2317b14a"
ACCESS_TOKEN = "eyJhbGciOiJSUzI1NiJ9.test-access-token.c2lnbmF0dXJl"
SIGNED_URL = "https://bb.storage.deepbox.swiss/deepsign/data/bb/60/2c/43-caae-4656-a447-233b2317b14a/signed"
CREDENTIALS = {
    "DEEPSIGN_CLIENT_ID": "openleg-client",
    "DEEPSIGN_CLIENT_SECRET": "client-secret",
    "DEEPSIGN_USERNAME": "service-user@openleg.example.ch",
    "DEEPSIGN_PASSWORD": "service-password",
    "DEEPSIGN_COMPANY_ID": COMPANY_ID,
    "DEEPSIGN_BASE_URL": BASE,
    "DEEPSIGN_TOKEN_URL": TOKEN_URL,
    "OPENLEG_PUBLIC_URL": PUBLIC_URL,
}


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def configure(settings, monkeypatch) -> None:
    """DeepSign switched on for one test, with a fresh shared client (no token left from another test)."""
    for name, value in CREDENTIALS.items():
        setattr(settings, name, value)
    monkeypatch.setattr(deepsign, "_shared", None)


def add_token(rsps, status=200) -> None:
    rsps.add(responses.POST, TOKEN_URL, json=recorded("token"), status=status)


def bearer() -> dict:
    return {"Authorization": f"Bearer {ACCESS_TOKEN}"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def config():
    return DeepSignConfig(
        client_id="openleg-client",
        client_secret="client-secret",
        username="service-user@openleg.example.ch",
        password="service-password",
        company_id=COMPANY_ID,
        base_url=BASE,
        token_url=TOKEN_URL,
        public_url=PUBLIC_URL,
    )


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def client(config, clock):
    return DeepSignClient(config, clock=clock)


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


# --- configuration -------------------------------------------------------------------------------------------------


def test_without_credentials_the_message_names_every_missing_setting(settings, monkeypatch):
    configure(settings, monkeypatch)
    settings.DEEPSIGN_CLIENT_SECRET = ""
    settings.DEEPSIGN_PASSWORD = ""
    settings.OPENLEG_PUBLIC_URL = ""

    with pytest.raises(DeepSignNotConfigured) as error:
        deepsign.client()

    assert error.value.message == (
        "DeepSign ist nicht eingerichtet: es fehlen DEEPSIGN_CLIENT_SECRET, DEEPSIGN_PASSWORD, OPENLEG_PUBLIC_URL."
    )
    assert error.value.code == "deepsign_not_configured"
    assert isinstance(error.value, DeepSignError)


def test_a_setting_left_empty_is_named_too(settings, monkeypatch):
    configure(settings, monkeypatch)
    settings.DEEPSIGN_BASE_URL = ""

    with pytest.raises(DeepSignNotConfigured) as error:
        DeepSignConfig.from_settings()

    assert error.value.message == "DeepSign ist nicht eingerichtet: es fehlen DEEPSIGN_BASE_URL."


def test_the_shared_client_is_kept_while_the_settings_stay_and_replaced_when_they_change(settings, monkeypatch):
    configure(settings, monkeypatch)
    first = deepsign.client()

    assert deepsign.client() is first
    settings.DEEPSIGN_COMPANY_ID = "other-company"
    assert deepsign.client() is not first
    assert deepsign.client().config.company_id == "other-company"


# --- token ---------------------------------------------------------------------------------------------------------


def test_the_token_is_fetched_with_the_password_grant_and_reused_until_shortly_before_expiry(client, clock, rsps):
    rsps.add(
        responses.POST,
        TOKEN_URL,
        json=recorded("token"),
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "grant_type": "password",
                    "client_id": "openleg-client",
                    "client_secret": "client-secret",
                    "username": "service-user@openleg.example.ch",
                    "password": "service-password",
                }
            )
        ],
    )
    rsps.add(responses.GET, f"{BASE}/documents/{DOC_ID}", json=recorded("status-in-progress"))

    client.status(DOC_ID)
    clock.now += 239  # expires_in 300 s, renewed 60 s before
    client.status(DOC_ID)
    status_url = f"{BASE}/documents/{DOC_ID}"
    assert [call.request.url for call in rsps.calls] == [TOKEN_URL, status_url, status_url]
    assert rsps.calls[1].request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"

    clock.now += 1
    client.status(DOC_ID)
    assert [call.request.url for call in rsps.calls].count(TOKEN_URL) == 2


def test_a_refused_login_is_a_clear_error(client, rsps):
    rsps.add(responses.POST, TOKEN_URL, json={"error": "invalid_grant"}, status=401)

    with pytest.raises(DeepSignError) as error:
        client.token()

    assert error.value.message == "DeepSign: Anmeldung fehlgeschlagen (HTTP 401)."


def test_a_token_answer_without_access_token_is_unexpected(client, rsps):
    rsps.add(responses.POST, TOKEN_URL, json={"token_type": "Bearer"})

    with pytest.raises(DeepSignError) as error:
        client.token()

    assert error.value.message == "DeepSign: unerwartete Antwort bei Anmeldung."


def test_a_rejected_token_is_forgotten_so_the_next_call_logs_in_again(client, rsps):
    add_token(rsps)
    rsps.add(responses.GET, f"{BASE}/documents/{DOC_ID}", status=401)
    rsps.add(responses.GET, f"{BASE}/documents/{DOC_ID}", json=recorded("status-in-progress"))

    with pytest.raises(DeepSignError) as error:
        client.status(DOC_ID)
    client.status(DOC_ID)

    assert error.value.message == "DeepSign: Statusabfrage fehlgeschlagen (HTTP 401)."
    assert [call.request.url for call in rsps.calls].count(TOKEN_URL) == 2


# --- calls ---------------------------------------------------------------------------------------------------------


def test_upload_sends_the_pdf_with_the_data_part_and_returns_the_document_id(client, rsps):
    add_token(rsps)
    rsps.add(responses.POST, f"{BASE}/documents/file", json=recorded("upload"))
    callback = f"{PUBLIC_URL}/documents/deepsign/callback/tok123/"

    document_id = client.upload(
        pdf=b"%PDF-1.7 test",
        filename="gemeinschaftsvereinbarung-v1.pdf",
        initiator="LEG Sonnenhalde",
        comment="Gemeinschaftsvereinbarung",
        callback_url=callback,
    )

    assert document_id == DOC_ID
    request = rsps.calls[1].request
    assert request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert request.headers["Accept"] == "application/json"
    parts = multipart_parts(request)
    assert json.loads(parts["data"]["body"]) == {
        "companyId": COMPANY_ID,
        "initiatorAliasName": "LEG Sonnenhalde",
        "comment": "Gemeinschaftsvereinbarung",
        "signatureMode": "advanced",
        "sendMail": True,
        "callbackUrl": callback,
        "callbackEventTypes": ["signee-completed", "document-completed"],
    }
    assert parts["data"]["content_type"] == "application/json"
    assert parts["file"] == {
        "filename": "gemeinschaftsvereinbarung-v1.pdf",
        "content_type": "application/pdf",
        "body": b"%PDF-1.7 test",
    }


def test_add_signee_posts_email_comment_order_and_german(client, rsps):
    add_token(rsps)
    rsps.add(
        responses.POST,
        f"{BASE}/documents/{DOC_ID}/signees",
        json=recorded("signee"),
        match=[
            matchers.json_params_matcher(
                {"email": "anna.muster@example.ch", "comment": "Bitte unterzeichnen", "signOrder": 0, "language": "de"}
            ),
            matchers.header_matcher(bearer()),
        ],
    )

    signee = client.add_signee(DOC_ID, email="anna.muster@example.ch", comment="Bitte unterzeichnen", sign_order=0)

    assert signee["signeeId"] == "56f16b80-0058-44d8-bf33-2847612b24b1"


def test_start_and_withdraw_are_puts_with_no_content(client, rsps):
    add_token(rsps)
    rsps.add(responses.PUT, f"{BASE}/documents/{DOC_ID}/start", status=204, match=[matchers.header_matcher(bearer())])
    rsps.add(responses.PUT, f"{BASE}/documents/{DOC_ID}/withdraw", status=204)

    assert client.start(DOC_ID) is None
    assert client.withdraw(DOC_ID) is None
    assert [(call.request.method, call.request.url) for call in rsps.calls[1:]] == [
        ("PUT", f"{BASE}/documents/{DOC_ID}/start"),
        ("PUT", f"{BASE}/documents/{DOC_ID}/withdraw"),
    ]


@pytest.mark.parametrize(
    ("fixture", "outcome", "provider_status"),
    [
        ("upload", deepsign.PENDING, "draft"),
        ("status-in-progress", deepsign.PENDING, "in-progress"),
        ("status-signed", deepsign.SIGNED, "signed"),
        ("status-rejected", deepsign.DECLINED, "rejected"),
        ("status-withdrawn", deepsign.WITHDRAWN, "withdrawn"),
    ],
)
def test_status_maps_the_document_status(client, rsps, fixture, outcome, provider_status):
    add_token(rsps)
    rsps.add(responses.GET, f"{BASE}/documents/{DOC_ID}", json=recorded(fixture))

    status = client.status(DOC_ID)

    assert (status.outcome, status.provider_status) == (outcome, provider_status)
    assert status.raw == recorded(fixture)


@pytest.mark.parametrize("provider_status", ["completed", "declined", "expired", "IN_PROGRESS", "Signed", ""])
def test_a_status_word_deepsign_does_not_document_is_logged_and_counts_as_still_running(provider_status, caplog):
    assert deepsign.outcome_of(provider_status) == deepsign.PENDING
    assert caplog.messages == [f"DeepSign reported an undocumented document status {provider_status!r}; still waiting"]


def test_the_five_documented_status_words_are_mapped_without_a_warning(caplog):
    outcomes = [deepsign.outcome_of(word) for word in ("draft", "in-progress", "signed", "withdrawn", "rejected")]

    assert outcomes == [deepsign.PENDING, deepsign.PENDING, deepsign.SIGNED, deepsign.WITHDRAWN, deepsign.DECLINED]
    assert caplog.messages == []


def test_status_reports_the_signed_document_url_and_the_completion_time(client, rsps):
    add_token(rsps)
    rsps.add(responses.GET, f"{BASE}/documents/{DOC_ID}", json=recorded("status-signed"))

    status = client.status(DOC_ID)

    assert (status.document_url, status.completed_at) == (SIGNED_URL, datetime(2026, 3, 3, 14, 2, 11, tzinfo=UTC))
    assert not hasattr(status, "original_sha256")


@pytest.mark.parametrize("http_status", [404, 410])
def test_a_document_deepsign_no_longer_has_is_its_own_error(client, rsps, http_status):
    add_token(rsps)
    rsps.add(responses.GET, f"{BASE}/documents/{DOC_ID}", json={"message": "not found"}, status=http_status)

    with pytest.raises(deepsign.DeepSignDocumentGone) as error:
        client.status(DOC_ID)

    assert error.value.message == (
        f"DeepSign: das Dokument ist dort nicht mehr vorhanden (abgelaufen oder gelöscht; HTTP {http_status})."
    )
    assert error.value.code == "deepsign_document_gone"


def test_a_login_answered_404_is_a_plain_error_not_a_gone_document(client, rsps):
    add_token(rsps, status=404)

    with pytest.raises(DeepSignError) as error:
        client.token()

    assert (type(error.value), error.value.message) == (DeepSignError, "DeepSign: Anmeldung fehlgeschlagen (HTTP 404).")


def test_a_signed_file_deepsign_has_deleted_is_the_same_error(client, rsps):
    rsps.add(responses.GET, SIGNED_URL, status=404)

    with pytest.raises(deepsign.DeepSignDocumentGone):
        client.download(SIGNED_URL)


def test_a_status_without_document_status_is_unexpected(client, rsps):
    add_token(rsps)
    rsps.add(responses.GET, f"{BASE}/documents/{DOC_ID}", json={"documentId": DOC_ID})

    with pytest.raises(DeepSignError) as error:
        client.status(DOC_ID)

    assert error.value.message == "DeepSign: unerwartete Antwort bei Statusabfrage."


def test_download_sends_no_token_to_the_storage_host(client, rsps):
    rsps.add(responses.GET, SIGNED_URL, body=b"%PDF-1.7 signed", content_type="application/pdf")

    assert client.download(SIGNED_URL) == b"%PDF-1.7 signed"
    assert "Authorization" not in rsps.calls[0].request.headers


def test_download_from_the_api_itself_carries_the_token(client, rsps):
    add_token(rsps)
    rsps.add(responses.GET, f"{BASE}/documents/{DOC_ID}/download", body=b"%PDF-1.7 signed")

    client.download(f"{BASE}/documents/{DOC_ID}/download")

    assert rsps.calls[1].request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"


# --- errors --------------------------------------------------------------------------------------------------------


def test_a_server_error_names_the_call_and_the_status_code(client, rsps):
    add_token(rsps)
    rsps.add(responses.POST, f"{BASE}/documents/{DOC_ID}/signees", json={"message": "boom"}, status=500)

    with pytest.raises(DeepSignError) as error:
        client.add_signee(DOC_ID, email="anna.muster@example.ch", comment="", sign_order=0)

    assert error.value.message == "DeepSign: Unterzeichnende hinzufügen fehlgeschlagen (HTTP 500)."
    assert error.value.code == "deepsign_error"


def test_too_many_calls_is_a_temporary_error(client, rsps):
    add_token(rsps)
    rsps.add(responses.PUT, f"{BASE}/documents/{DOC_ID}/start", status=429, headers={"Retry-After": "42"})

    with pytest.raises(deepsign.DeepSignTemporarilyUnavailable) as error:
        client.start(DOC_ID)

    assert error.value.message == (
        "DeepSign: zu viele Anfragen bei Start der Unterzeichnung (HTTP 429). Bitte in 42 Sekunden erneut versuchen."
    )
    assert error.value.code == "deepsign_rate_limited"


def test_maintenance_is_a_temporary_error(client, rsps):
    add_token(rsps)
    rsps.add(responses.GET, f"{BASE}/documents/{DOC_ID}", body="<html>Wartung</html>", status=503)

    with pytest.raises(deepsign.DeepSignTemporarilyUnavailable) as error:
        client.status(DOC_ID)

    assert error.value.message == (
        "DeepSign: vorübergehend nicht verfügbar (Wartung) bei Statusabfrage (HTTP 503). Bitte später erneut versuchen."
    )
    assert error.value.code == "deepsign_unavailable"


def test_a_timeout_is_an_error_and_every_call_sets_one(client, rsps):
    add_token(rsps)
    rsps.add(responses.PUT, f"{BASE}/documents/{DOC_ID}/withdraw", body=requests.Timeout("read timed out"))

    with pytest.raises(DeepSignError) as error:
        client.withdraw(DOC_ID)

    assert error.value.message == "DeepSign: keine Antwort bei Zurückziehen (Zeitüberschreitung)."
    assert [call.request.req_kwargs["timeout"] for call in rsps.calls] == [deepsign.TIMEOUT, deepsign.TIMEOUT]


def test_an_unreachable_service_is_an_error(client, rsps):
    rsps.add(responses.POST, TOKEN_URL, body=requests.ConnectionError("name or service not known"))

    with pytest.raises(DeepSignError) as error:
        client.token()

    assert error.value.message == "DeepSign: nicht erreichbar bei Anmeldung."


def test_an_answer_that_is_not_json_is_unexpected(client, rsps):
    add_token(rsps)
    rsps.add(responses.POST, f"{BASE}/documents/file", body="<html>Wartung</html>", content_type="text/html")

    with pytest.raises(DeepSignError) as error:
        client.upload(pdf=b"%PDF", filename="a.pdf", initiator="LEG", comment="", callback_url=PUBLIC_URL)

    assert error.value.message == "DeepSign: unerwartete Antwort bei Hochladen."


def multipart_parts(request) -> dict:
    """The parts of a multipart/form-data body by name: filename, content type and raw body."""
    boundary = request.headers["Content-Type"].split("boundary=")[1].encode()
    parts = {}
    for chunk in request.body.split(b"--" + boundary)[1:-1]:
        head, body = chunk[2:-2].split(b"\r\n\r\n", 1)
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        disposition = dict(item.strip().split("=", 1) for item in headers["Content-Disposition"].split(";")[1:])
        name = disposition.pop("name").strip('"')
        part = {"content_type": headers.get("Content-Type"), "body": body}
        if "filename" in disposition:
            part["filename"] = disposition["filename"].strip('"')
        parts[name] = part
    return parts
