"""Recording a signature on paper: what is stored, every refusal, and the formation rule that reads it."""

from datetime import UTC, date, datetime

import pytest

from communities.formation import formation_obstacles
from communities.models import CommunityStatus, Door
from documents.models import Document, DocumentKind, PaperSignature, SignatureRequest, SignatureRequestState
from documents.models import SignatureState as State
from documents.paper_signatures import MAX_SCAN_BYTES, paper_signature_record, paper_signature_recordable
from documents.pdf import html_to_pdf
from documents.services import FORMATION_KINDS, documents_generate
from documents.signing import SignatureRefused
from openleg.periods import local_today
from tests.documents.test_signing import document_audit, make_document, sha

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)
# 23:30 UTC on 2 March is already 3 March in Zurich: the day the document was made there.
CREATED = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
CREATED_DAY = date(2026, 3, 3)


@pytest.fixture(scope="module")
def scan() -> bytes:
    return html_to_pdf("<h1>Gemeinschaftsvereinbarung</h1><p>unterzeichnet: Anna Muster</p>")


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("documents.paper_signatures.local_today", lambda: TODAY)


def made(scan: bytes, **kwargs) -> Document:
    document = make_document(scan, **kwargs)
    Document.objects.filter(pk=document.pk).update(created_at=CREATED)
    document.refresh_from_db()
    return document


def record(document, scan, *, signed_on=CREATED_DAY, note="", actor=None, door=Door.ADMIN):
    return paper_signature_record(document=document, scan=scan, signed_on=signed_on, note=note, actor=actor, door=door)


def stored_files(media_root) -> list[str]:
    return sorted(str(path.relative_to(media_root)) for path in media_root.rglob("*-papier*.pdf"))


def refused(document, scan, **kwargs) -> str:
    with pytest.raises(SignatureRefused) as error:
        record(document, scan, **kwargs)
    return error.value.message


def assert_nothing_written(document, media_root, state=State.UNSIGNED) -> None:
    document.refresh_from_db()
    assert (document.signature_state, PaperSignature.objects.count(), document_audit()) == (state, 0, [])
    assert stored_files(media_root) == []


# --- recording -----------------------------------------------------------------------------------------------------


def test_recording_stores_the_scan_and_marks_the_document_signed(scan, staff_user, today, media_root):
    document = made(scan)

    paper = record(document, scan, signed_on=CREATED_DAY, note="  Original im Ordner LEG 2026  ", actor=staff_user)

    paper.refresh_from_db()
    folder, token, name = paper.scan.name.rsplit("/", 2)
    assert (folder, len(token), name) == (
        f"documents/{document.community_id}/signed",
        22,
        "gemeinschaftsvereinbarung-v1-papier.pdf",
    )
    assert (paper.document, paper.scan_sha256, paper.size_bytes) == (
        document,
        sha(scan),
        len(scan),
    )
    assert (paper.signed_on, paper.note, paper.recorded_by, paper.door) == (
        CREATED_DAY,
        "Original im Ordner LEG 2026",
        staff_user,
        "admin",
    )
    with paper.scan.open("rb") as stored:
        assert stored.read() == scan
    assert stored_files(media_root) == [paper.scan.name]
    document.refresh_from_db()
    assert document.signature_state == State.SIGNED
    assert document_audit() == [(staff_user, "admin", {"signature_state": ["unsigned", "signed"]})]


def test_a_command_records_without_a_user_and_today_is_allowed(scan, today):
    document = made(scan, kind=DocumentKind.REGISTRATION)

    paper = record(document, scan, signed_on=TODAY, door=Door.COMMAND)

    assert (paper.signed_on, paper.recorded_by, paper.door, paper.note) == (TODAY, None, "command", "")
    assert document_audit() == [(None, "command", {"signature_state": ["unsigned", "signed"]})]


def test_a_scan_of_exactly_20_mb_is_accepted(scan, today):
    largest = b"%PDF-" + b"0" * (MAX_SCAN_BYTES - 5)

    paper = record(made(scan), largest)

    assert (paper.size_bytes, paper.scan_sha256) == (20_971_520, sha(largest))


def test_a_withdrawn_deepsign_request_can_be_signed_on_paper_instead(scan, staff_user, today):
    document = made(scan, state=State.WITHDRAWN)
    SignatureRequest.objects.create(
        document=document, provider_document_id="d-1", state=SignatureRequestState.WITHDRAWN, sent_sha256=sha(scan)
    )

    record(document, scan, actor=staff_user)

    document.refresh_from_db()
    assert document.signature_state == State.SIGNED
    assert document_audit() == [(staff_user, "admin", {"signature_state": ["withdrawn", "signed"]})]
    assert SignatureRequest.objects.get(document=document).state == SignatureRequestState.WITHDRAWN


def test_a_failure_after_storing_the_scan_removes_it_again(scan, today, media_root, monkeypatch):
    document = made(scan)

    def broken(*args, **kwargs):
        raise RuntimeError("Datenbank weg")

    monkeypatch.setattr("documents.paper_signatures.document_state_set", broken)

    with pytest.raises(RuntimeError):
        record(document, scan)

    assert_nothing_written(document, media_root)


# --- refusals ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "state", "message"),
    [
        (
            "invoice",  # no formation document (invoice PDFs were documents once)
            State.NOT_REQUIRED,
            "Unterschriften werden nur für die Gemeinschaftsvereinbarung, Teilnehmerverträge und die Anmeldung beim "
            "Netzbetreiber erfasst.",
        ),
        (
            DocumentKind.AGREEMENT,
            State.OUT_FOR_SIGNATURE,
            "Dieses Dokument ist bei DeepSign in Unterzeichnung; bitte ziehen Sie die Anfrage zuerst zurück.",
        ),
        (DocumentKind.CONTRACT, State.SIGNED, "Dieses Dokument ist bereits unterzeichnet."),
    ],
)
def test_only_unsigned_formation_documents_are_recorded(scan, today, media_root, kind, state, message):
    document = made(scan, kind=kind, state=state)

    assert not paper_signature_recordable(document)
    assert refused(document, scan) == message
    assert_nothing_written(document, media_root, state=state)


def test_an_outdated_version_is_refused(scan, today, media_root):
    first = made(scan)
    newest = make_document(scan, community=first.community, version=2)

    assert (paper_signature_recordable(first), paper_signature_recordable(newest)) == (False, True)
    assert refused(first, scan) == (
        "Es gibt eine neuere Version dieses Dokuments; bitte erfassen Sie die Unterschrift auf dieser."
    )
    assert_nothing_written(first, media_root)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Die Datei ist leer."),
        (b"\x89PNG\r\n\x1a\n", "Die Datei ist kein PDF."),
        (b"%PDF", "Die Datei ist kein PDF."),
        (b"%PDF-" + b"0" * (MAX_SCAN_BYTES - 4), "Die Datei ist grösser als 20 MB."),
    ],
    ids=["empty", "png", "truncated-header", "20-mb-and-one-byte"],
)
def test_a_scan_that_is_empty_no_pdf_or_too_large_is_refused(scan, today, media_root, content, message):
    document = made(scan)

    assert refused(document, content) == message
    assert_nothing_written(document, media_root)


@pytest.mark.parametrize(
    ("signed_on", "message"),
    [
        (date(2026, 3, 11), "Das Unterschriftsdatum 11.03.2026 liegt in der Zukunft."),
        (
            date(2026, 3, 2),
            "Das Unterschriftsdatum 02.03.2026 liegt vor der Erstellung des Dokuments (03.03.2026).",
        ),
    ],
)
def test_a_signing_day_in_the_future_or_before_the_document_is_refused(scan, today, media_root, signed_on, message):
    document = made(scan)

    assert refused(document, scan, signed_on=signed_on) == message
    assert_nothing_written(document, media_root)


# --- the formation workflow ----------------------------------------------------------------------------------------


def test_the_signed_rule_passes_once_agreement_and_contracts_are_signed_on_paper(scan, sonnenberg, staff_user):
    documents = documents_generate(community=sonnenberg, kinds=FORMATION_KINDS, actor=None, door=Door.COMMAND)
    to_sign = [d for d in documents if d.kind in (DocumentKind.AGREEMENT, DocumentKind.CONTRACT)]
    before = formation_obstacles(sonnenberg, CommunityStatus.SIGNED)

    for document in to_sign:
        record(document, scan, signed_on=local_today(), actor=staff_user)

    assert len(before) == len(to_sign) == 13
    assert before[0] == "Die Gemeinschaftsvereinbarung (Version 1) ist noch nicht unterzeichnet."
    assert formation_obstacles(sonnenberg, CommunityStatus.SIGNED) == []
    assert PaperSignature.objects.filter(document__community=sonnenberg).count() == 13
