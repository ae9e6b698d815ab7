"""Sending documents for signature, reading the outcome back and withdrawing, with DeepSign's HTTP replaced."""

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
import responses
from django.core.files.base import ContentFile

from communities.models import AuditEntry, Door
from documents.deepsign import DeepSignError, DeepSignNotConfigured
from documents.models import Document, DocumentKind, SignatureRequest, SignatureRequestState, SignatureState
from documents.pdf import html_to_pdf
from documents.signing import (
    SignatureRefused,
    signature_request_send,
    signature_status_refresh,
    signature_withdraw,
)
from tests.communities.factories import CommunityFactory
from tests.documents.test_deepsign import (
    BASE,
    COMPANY_ID,
    DOC_ID,
    PUBLIC_URL,
    SIGNED_URL,
    TOKEN_URL,
    add_token,
    configure,
    multipart_parts,
    recorded,
)

pytestmark = pytest.mark.django_db

SIGNERS = [
    {"name": "Anna Muster", "email": "anna.muster@example.ch"},
    {"name": "Beat Beispiel", "email": "beat.beispiel@example.ch"},
]
MOMENT = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
STATUS_URL = f"{BASE}/documents/{DOC_ID}"
MISMATCH = "Das unterzeichnete PDF stimmt nicht mit dem gesendeten Dokument überein"


@pytest.fixture(autouse=True)
def deepsign_on(settings, monkeypatch):
    configure(settings, monkeypatch)
    monkeypatch.setattr("documents.signing.utc_now", lambda: MOMENT)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return html_to_pdf("<h1>Gemeinschaftsvereinbarung</h1><p>LEG Sonnenhalde</p>")


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def make_document(pdf: bytes, *, kind=DocumentKind.AGREEMENT, state=SignatureState.UNSIGNED, community=None, version=1):
    community = community or CommunityFactory(name="LEG Sonnenhalde")
    document = Document(
        community=community,
        kind=kind,
        version=version,
        title="Gemeinschaftsvereinbarung",
        sha256=sha(pdf),
        size_bytes=len(pdf),
        source_sha256="0" * 64,
        door=Door.COMMAND,
        signature_state=state,
    )
    document.file.save(f"gemeinschaftsvereinbarung-v{version}.pdf", ContentFile(pdf), save=False)
    document.save()
    return document


def in_progress(pdf: bytes) -> SignatureRequest:
    document = make_document(pdf, state=SignatureState.OUT_FOR_SIGNATURE)
    return SignatureRequest.objects.create(
        document=document,
        provider_document_id=DOC_ID,
        state=SignatureRequestState.IN_PROGRESS,
        signers=SIGNERS,
        sent_sha256=document.sha256,
    )


def signed_version(pdf: bytes) -> bytes:
    """What a PAdES signer returns: the original bytes untouched plus an incremental update with a signature."""
    return pdf + (
        b"\n99 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
        b"/ByteRange [0 100 200 300] /Contents <3082> >>\nendobj\nstartxref\n%d\n%%%%EOF\n" % len(pdf)
    )


def mock_send(rsps) -> None:
    add_token(rsps)
    rsps.add(responses.POST, f"{BASE}/documents/file", json=recorded("upload"))
    rsps.add(responses.POST, f"{STATUS_URL}/signees", json=recorded("signee"))
    rsps.add(responses.PUT, f"{STATUS_URL}/start", status=204)


def mock_status(rsps, fixture: str, *, signed: bytes | None = None, **changes) -> None:
    add_token(rsps)
    rsps.add(responses.GET, STATUS_URL, json={**recorded(fixture), **changes})
    if signed is not None:
        rsps.add(responses.GET, SIGNED_URL, body=signed, content_type="application/pdf")


def send(document, actor=None, door=Door.ADMIN, signers=SIGNERS):
    return signature_request_send(document=document, signers=signers, actor=actor, door=door)


def document_audit() -> list[tuple]:
    return [
        (entry.actor, entry.door, entry.changes)
        for entry in AuditEntry.objects.filter(model="documents.Document").order_by("pk")
    ]


# --- sending -------------------------------------------------------------------------------------------------------


def test_sending_uploads_adds_the_signers_in_order_starts_and_records_it(pdf, rsps, staff_user):
    document = make_document(pdf)
    mock_send(rsps)

    request = send(document, actor=staff_user)

    assert [(call.request.method, call.request.url) for call in rsps.calls] == [
        ("POST", TOKEN_URL),
        ("POST", f"{BASE}/documents/file"),
        ("POST", f"{STATUS_URL}/signees"),
        ("POST", f"{STATUS_URL}/signees"),
        ("PUT", f"{STATUS_URL}/start"),
    ]
    parts = multipart_parts(rsps.calls[1].request)
    callback = f"{PUBLIC_URL}/documents/deepsign/callback/{request.callback_token}/"
    assert json.loads(parts["data"]["body"]) == {
        "companyId": COMPANY_ID,
        "initiatorAliasName": "LEG Sonnenhalde",
        "comment": "Gemeinschaftsvereinbarung",
        "signatureMode": "advanced",
        "sendMail": True,
        "callbackUrl": callback,
        "callbackEventTypes": ["signee-completed", "document-completed"],
    }
    assert parts["file"] == {
        "filename": "gemeinschaftsvereinbarung-v1.pdf",
        "content_type": "application/pdf",
        "body": pdf,
    }
    assert [json.loads(call.request.body) for call in rsps.calls[2:4]] == [
        {
            "email": "anna.muster@example.ch",
            "comment": "Guten Tag Anna Muster, bitte unterzeichnen Sie «Gemeinschaftsvereinbarung».",
            "signOrder": 0,
            "language": "de",
        },
        {
            "email": "beat.beispiel@example.ch",
            "comment": "Guten Tag Beat Beispiel, bitte unterzeichnen Sie «Gemeinschaftsvereinbarung».",
            "signOrder": 1,
            "language": "de",
        },
    ]
    request.refresh_from_db()
    assert (request.document, request.state, request.provider_document_id) == (document, "in_progress", DOC_ID)
    assert (request.sent_sha256, request.signers, request.requested_by) == (sha(pdf), SIGNERS, staff_user)
    assert (request.error, request.signed_sha256, request.signed_file.name) == ("", "", "")
    assert len(request.callback_token) == 43
    document.refresh_from_db()
    assert document.signature_state == SignatureState.OUT_FOR_SIGNATURE
    assert document_audit() == [(staff_user, "admin", {"signature_state": ["unsigned", "out_for_signature"]})]


def test_signer_addresses_are_trimmed_and_lower_cased(pdf, rsps):
    mock_send(rsps)

    request = send(make_document(pdf), signers=[{"name": " Anna Muster ", "email": " Anna.Muster@Example.CH "}])

    assert request.signers == [{"name": "Anna Muster", "email": "anna.muster@example.ch"}]
    assert json.loads(rsps.calls[2].request.body)["email"] == "anna.muster@example.ch"


@pytest.mark.parametrize(
    ("signers", "message"),
    [
        ([], "Bitte geben Sie mindestens eine unterzeichnende Person an."),
        ([{"name": "", "email": "anna@example.ch"}], "Bitte geben Sie für jede unterzeichnende Person einen Namen an."),
        ([{"name": "Anna", "email": "anna(at)example.ch"}], "«anna(at)example.ch» ist keine gültige E-Mail-Adresse."),
        (
            [{"name": "Anna", "email": "anna@example.ch"}, {"name": "Anna M.", "email": "ANNA@example.ch"}],
            "Die E-Mail-Adresse «anna@example.ch» ist doppelt angegeben.",
        ),
    ],
)
def test_incomplete_signers_are_refused_before_anything_is_sent(pdf, rsps, signers, message):
    document = make_document(pdf)

    with pytest.raises(SignatureRefused) as error:
        send(document, signers=signers)

    assert error.value.message == message
    assert (len(rsps.calls), SignatureRequest.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("kind", "state", "message"),
    [
        (
            "invoice",  # no formation document (invoice PDFs were documents once)
            SignatureState.NOT_REQUIRED,
            "Elektronisch unterzeichnet werden nur die Gemeinschaftsvereinbarung, Teilnehmerverträge und die "
            "Anmeldung beim Netzbetreiber.",
        ),
        (
            DocumentKind.AGREEMENT,
            SignatureState.OUT_FOR_SIGNATURE,
            "Dieses Dokument ist bereits zur Unterzeichnung versandt.",
        ),
        (DocumentKind.AGREEMENT, SignatureState.SIGNED, "Dieses Dokument ist bereits unterzeichnet."),
    ],
)
def test_only_unsigned_formation_documents_can_be_sent(pdf, rsps, kind, state, message):
    document = make_document(pdf, kind=kind, state=state)

    with pytest.raises(SignatureRefused) as error:
        send(document)

    assert error.value.message == message
    assert (len(rsps.calls), SignatureRequest.objects.count(), document_audit()) == (0, 0, [])


def test_an_outdated_version_is_not_sent(pdf, rsps):
    first = make_document(pdf)
    make_document(pdf, community=first.community, version=2)

    with pytest.raises(SignatureRefused) as error:
        send(first)

    assert error.value.message == "Es gibt eine neuere Version dieses Dokuments; bitte senden Sie diese."
    assert len(rsps.calls) == 0


def test_a_stored_pdf_that_no_longer_matches_its_hash_is_not_sent(pdf, rsps):
    document = make_document(pdf)
    Document.objects.filter(pk=document.pk).update(sha256="f" * 64)
    document.refresh_from_db()

    with pytest.raises(SignatureRefused) as error:
        send(document)

    assert error.value.message == "Die gespeicherte PDF-Datei stimmt nicht mit ihrem Hash überein; bitte neu erzeugen."
    assert len(rsps.calls) == 0


def test_when_the_start_fails_nothing_is_recorded_as_sent(pdf, rsps, staff_user):
    document = make_document(pdf)
    add_token(rsps)
    rsps.add(responses.POST, f"{BASE}/documents/file", json=recorded("upload"))
    rsps.add(responses.POST, f"{STATUS_URL}/signees", json=recorded("signee"))
    rsps.add(responses.PUT, f"{STATUS_URL}/start", status=500)

    with pytest.raises(DeepSignError) as error:
        send(document, actor=staff_user)

    assert error.value.message == "DeepSign: Start der Unterzeichnung fehlgeschlagen (HTTP 500)."
    document.refresh_from_db()
    assert (document.signature_state, SignatureRequest.objects.count(), document_audit()) == ("unsigned", 0, [])


def test_without_credentials_sending_says_so_and_records_nothing(pdf, rsps, settings):
    settings.DEEPSIGN_PASSWORD = ""
    document = make_document(pdf)

    with pytest.raises(DeepSignNotConfigured) as error:
        send(document)

    assert error.value.message == "DeepSign ist nicht eingerichtet: es fehlen DEEPSIGN_PASSWORD."
    assert (len(rsps.calls), SignatureRequest.objects.count()) == (0, 0)


def test_a_withdrawn_document_can_be_sent_again_with_a_new_callback_token(pdf, rsps):
    request = in_progress(pdf)
    request.state = SignatureRequestState.WITHDRAWN
    request.completed_at = MOMENT
    request.error = "alt"
    request.save()
    Document.objects.filter(pk=request.document_id).update(signature_state=SignatureState.WITHDRAWN)
    old_token = request.callback_token
    mock_send(rsps)

    again = send(Document.objects.get(pk=request.document_id))

    assert again.pk == request.pk
    assert again.callback_token != old_token
    assert (again.state, again.completed_at, again.error, again.requested_at) == ("in_progress", None, "", MOMENT)
    assert SignatureRequest.objects.filter(callback_token=old_token).count() == 0


# --- reading the outcome -------------------------------------------------------------------------------------------


def test_a_pending_status_is_noted_and_nothing_else_changes(pdf, rsps):
    request = in_progress(pdf)
    mock_status(rsps, "status-in-progress")

    signature_status_refresh(request=request)

    request.refresh_from_db()
    assert (request.state, request.last_status, request.last_checked_at) == (
        "in_progress",
        recorded("status-in-progress"),
        MOMENT,
    )
    assert (request.document.signature_state, document_audit()) == ("out_for_signature", [])


def test_a_signed_status_downloads_verifies_and_stores_the_signed_pdf(pdf, rsps):
    request = in_progress(pdf)
    signed = signed_version(pdf)
    mock_status(rsps, "status-signed", signed=signed)

    signature_status_refresh(request=request)

    request.refresh_from_db()
    assert request.signed_file.read() == signed
    assert request.signed_file.name.startswith(f"documents/{request.document.community_id}/signed/")
    assert (request.signed_sha256, request.state, request.error) == (sha(signed), "signed", "")
    assert request.completed_at == datetime(2026, 3, 3, 14, 2, 11, tzinfo=UTC)
    assert request.document.signature_state == SignatureState.SIGNED
    assert document_audit() == [(None, "task", {"signature_state": ["out_for_signature", "signed"]})]


def test_a_signed_pdf_that_does_not_start_with_the_sent_bytes_is_rejected(pdf, rsps):
    request = in_progress(pdf)
    tampered = bytearray(pdf)
    tampered[len(pdf) // 2] ^= 0x01
    mock_status(rsps, "status-signed", signed=signed_version(bytes(tampered)))

    signature_status_refresh(request=request)

    request.refresh_from_db()
    assert (request.state, request.signed_file.name, request.signed_sha256, request.completed_at) == (
        "failed",
        "",
        "",
        None,
    )
    assert request.error == (
        f"{MISMATCH}: es beginnt nicht mit den gesendeten Bytes (SHA-256 gesendet {sha(pdf)}, "
        f"gefunden {sha(bytes(tampered))})."
    )
    assert request.document.signature_state == SignatureState.UNSIGNED


def test_a_hash_field_in_deepsigns_answer_plays_no_part(pdf, rsps):
    request = in_progress(pdf)
    mock_status(rsps, "status-signed", signed=signed_version(pdf), originalDocumentHash="ab" * 32)

    signature_status_refresh(request=request)

    request.refresh_from_db()
    assert (request.state, request.error) == ("signed", "")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>Anmeldung</html>", "die Datei ist kein PDF"),
        (None, "es wurde keine Unterschrift angefügt"),
    ],
)
def test_a_download_that_is_no_pdf_or_carries_no_signature_is_rejected(pdf, rsps, body, reason):
    request = in_progress(pdf)
    mock_status(rsps, "status-signed", signed=pdf if body is None else body)

    signature_status_refresh(request=request)

    request.refresh_from_db()
    assert (request.state, request.error, request.signed_file.name) == ("failed", f"{MISMATCH}: {reason}.", "")


@pytest.mark.parametrize(
    ("fixture", "state", "document_state", "completed_at"),
    [
        ("status-rejected", "declined", "declined", datetime(2026, 3, 3, 10, 0, tzinfo=UTC)),
        ("status-withdrawn", "withdrawn", "withdrawn", datetime(2026, 3, 3, 11, 30, tzinfo=UTC)),
    ],
)
def test_declined_and_withdrawn_are_mirrored(pdf, rsps, fixture, state, document_state, completed_at):
    request = in_progress(pdf)
    mock_status(rsps, fixture)

    signature_status_refresh(request=request, door=Door.API)

    request.refresh_from_db()
    assert (request.state, request.completed_at, request.last_status) == (state, completed_at, recorded(fixture))
    assert request.document.signature_state == document_state
    assert document_audit() == [(None, "api", {"signature_state": ["out_for_signature", document_state]})]


def test_a_failed_status_call_is_noted_on_the_request_and_raised(pdf, rsps):
    request = in_progress(pdf)
    add_token(rsps)
    rsps.add(responses.GET, STATUS_URL, status=500)

    with pytest.raises(DeepSignError):
        signature_status_refresh(request=request)

    request.refresh_from_db()
    assert (request.state, request.last_checked_at) == ("in_progress", MOMENT)
    assert request.error == "DeepSign: Statusabfrage fehlgeschlagen (HTTP 500)."


def test_a_document_deepsign_no_longer_keeps_ends_the_request_so_it_can_be_sent_again_or_signed_on_paper(pdf, rsps):
    request = in_progress(pdf)
    add_token(rsps)
    rsps.add(responses.GET, STATUS_URL, status=404)

    signature_status_refresh(request=request, door=Door.TASK)

    request.refresh_from_db()
    assert (request.state, request.completed_at, request.document.signature_state) == ("expired", MOMENT, "unsigned")
    assert request.error == (
        "DeepSign: das Dokument ist dort nicht mehr vorhanden (abgelaufen oder gelöscht; HTTP 404)."
    )
    assert document_audit() == [(None, "task", {"signature_state": ["out_for_signature", "unsigned"]})]
    rsps.add(responses.POST, f"{BASE}/documents/file", json=recorded("upload"))
    rsps.add(responses.POST, f"{STATUS_URL}/signees", json=recorded("signee"), match=[])
    rsps.add(responses.PUT, f"{STATUS_URL}/start", status=204)
    again = send(request.document, signers=SIGNERS[:1])
    assert (again.pk, again.state, again.error) == (request.pk, "in_progress", "")


def test_a_signed_file_deepsign_has_already_deleted_ends_the_request_as_failed(pdf, rsps):
    request = in_progress(pdf)
    add_token(rsps)
    rsps.add(responses.GET, STATUS_URL, json=recorded("status-signed"))
    rsps.add(responses.GET, SIGNED_URL, status=404)

    signature_status_refresh(request=request)

    request.refresh_from_db()
    assert (request.state, request.document.signature_state, request.signed_file.name) == ("failed", "unsigned", "")
    assert request.error == (
        "DeepSign: das Dokument ist dort nicht mehr vorhanden (abgelaufen oder gelöscht; HTTP 404)."
    )


@pytest.mark.parametrize(("days", "state"), [(30, "in_progress"), (31, "in_progress"), (32, "expired")])
def test_a_request_still_open_after_the_thirty_signing_days_expires(pdf, rsps, days, state):
    request = in_progress(pdf)
    SignatureRequest.objects.filter(pk=request.pk).update(requested_at=MOMENT - timedelta(days=days))
    request.refresh_from_db()
    mock_status(rsps, "status-in-progress")

    signature_status_refresh(request=request)

    request.refresh_from_db()
    assert request.state == state
    if state == "expired":
        assert request.error == "Die Unterschriftsfrist von 30 Tagen bei DeepSign ist abgelaufen."
        assert request.document.signature_state == "unsigned"


def test_a_settled_request_is_not_asked_again(pdf, rsps):
    request = in_progress(pdf)
    SignatureRequest.objects.filter(pk=request.pk).update(state=SignatureRequestState.SIGNED)
    request.refresh_from_db()

    assert signature_status_refresh(request=request).state == "signed"
    assert len(rsps.calls) == 0


# --- withdrawing ---------------------------------------------------------------------------------------------------


def test_withdrawing_tells_deepsign_and_records_who_did_it(pdf, rsps, staff_user):
    request = in_progress(pdf)
    add_token(rsps)
    rsps.add(responses.PUT, f"{STATUS_URL}/withdraw", status=204)

    signature_withdraw(request=request, actor=staff_user, door=Door.ADMIN)

    request.refresh_from_db()
    assert (request.state, request.completed_at, request.document.signature_state) == (
        "withdrawn",
        MOMENT,
        "withdrawn",
    )
    assert document_audit() == [(staff_user, "admin", {"signature_state": ["out_for_signature", "withdrawn"]})]


def test_only_a_running_request_can_be_withdrawn(pdf, rsps, staff_user):
    request = in_progress(pdf)
    SignatureRequest.objects.filter(pk=request.pk).update(state=SignatureRequestState.SIGNED)

    with pytest.raises(SignatureRefused) as error:
        signature_withdraw(request=request, actor=staff_user, door=Door.ADMIN)

    assert error.value.message == "Nur laufende Unterschriftsanfragen können zurückgezogen werden."
    assert len(rsps.calls) == 0


def test_a_failed_withdrawal_changes_nothing(pdf, rsps, staff_user):
    request = in_progress(pdf)
    add_token(rsps)
    rsps.add(responses.PUT, f"{STATUS_URL}/withdraw", status=500)

    with pytest.raises(DeepSignError) as error:
        signature_withdraw(request=request, actor=staff_user, door=Door.ADMIN)

    assert error.value.message == "DeepSign: Zurückziehen fehlgeschlagen (HTTP 500)."
    request.refresh_from_db()
    assert (request.state, request.document.signature_state, document_audit()) == (
        "in_progress",
        "out_for_signature",
        [],
    )
