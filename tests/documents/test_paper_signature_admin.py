"""Recording a paper signature in the staff console: the form, the refusals, the scan, who may do it."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.models import AuditEntry, Door
from documents.models import Document, DocumentKind, PaperSignature, SignatureState
from documents.paper_signatures import paper_signature_record
from documents.pdf import html_to_pdf
from documents.services import documents_generate
from openleg.periods import local_today
from tests.accounts.factories import StaffUserFactory, UtilityUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def scan() -> bytes:
    return html_to_pdf("<h1>Anmeldung beim Netzbetreiber</h1><p>unterzeichnet auf Papier</p>")


@pytest.fixture
def registration(sonnenberg) -> Document:
    (document,) = documents_generate(
        community=sonnenberg, kinds=[DocumentKind.REGISTRATION], actor=None, door=Door.COMMAND
    )
    return document


@pytest.fixture
def viewer(client):
    """Staff who may look at documents but not run a community's formation."""
    user = StaffUserFactory(is_superuser=False)
    user.user_permissions.add(Permission.objects.get(codename="view_document"))
    client.force_login(user)
    return client


def form_url(document) -> str:
    return reverse("admin:documents_document_paper_signature", args=[document.pk])


def change_url(document) -> str:
    return reverse("admin:documents_document_change", args=[document.pk])


def scan_url(document) -> str:
    return reverse("admin:documents_document_paper_scan", args=[document.pk])


def upload(content: bytes, name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def post(client, document, content: bytes, **data):
    fields = {"signed_on": local_today().isoformat(), "note": "", **data, "scan": upload(content)}
    return client.post(form_url(document), fields)


def recorded(document, scan, actor) -> PaperSignature:
    return paper_signature_record(
        document=document, scan=scan, signed_on=local_today(), note="", actor=actor, door=Door.ADMIN
    )


def test_the_form_shows_the_document(staff, registration):
    response = staff.get(form_url(registration))

    html = response.content.decode()
    assert response.status_code == 200
    assert registration.title in html
    assert 'enctype="multipart/form-data"' in html
    assert '<input type="date" name="signed_on"' in html
    assert "Scan des unterzeichneten Dokuments" in html


def test_posting_a_scan_records_it_and_returns_to_the_document(staff, staff_user, registration, scan):
    response = post(staff, registration, scan, note="Original im Ordner")

    assert (response.status_code, response["Location"]) == (302, change_url(registration))
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == [f"«{registration}» ist als auf Papier unterzeichnet erfasst."]
    registration.refresh_from_db()
    assert registration.signature_state == SignatureState.SIGNED
    paper = PaperSignature.objects.get(document=registration)
    assert (paper.signed_on, paper.note, paper.recorded_by, paper.door, paper.size_bytes) == (
        local_today(),
        "Original im Ordner",
        staff_user,
        "admin",
        len(scan),
    )
    entry = AuditEntry.objects.get(model="documents.Document")
    assert (entry.actor, entry.door, entry.changes) == (
        staff_user,
        "admin",
        {"signature_state": ["unsigned", "signed"]},
    )


def test_a_file_that_is_no_pdf_is_shown_again_with_the_reason(staff, registration):
    response = post(staff, registration, b"\x89PNG\r\n\x1a\n")

    assert response.status_code == 200
    assert '<ul class="errorlist nonfield"><li>Die Datei ist kein PDF.</li></ul>' in response.content.decode()
    registration.refresh_from_db()
    assert (registration.signature_state, PaperSignature.objects.count()) == ("unsigned", 0)


def test_an_empty_file_is_refused_by_the_service_in_its_words(staff, registration):
    response = post(staff, registration, b"")

    assert '<ul class="errorlist nonfield"><li>Die Datei ist leer.</li></ul>' in response.content.decode()
    assert PaperSignature.objects.count() == 0


def test_a_missing_date_is_a_field_error(staff, registration, scan):
    response = post(staff, registration, scan, signed_on="")

    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    assert PaperSignature.objects.count() == 0


def test_the_change_page_offers_the_form_until_signed_then_shows_the_scan(staff, staff_user, registration, scan):
    before = staff.get(change_url(registration)).content.decode()
    assert f'<a href="{form_url(registration)}">Unterschrift auf Papier erfassen</a>' in before
    assert scan_url(registration) not in before

    paper = recorded(registration, scan, staff_user)

    after = staff.get(change_url(registration)).content.decode()
    assert "Unterschrift auf Papier erfassen" not in after
    day = local_today().strftime("%d.%m.%Y")
    assert (
        f"unterzeichnet am {day}, erfasst am {day} durch {staff_user.username} · "
        f'<a href="{scan_url(registration)}">{paper.scan.name.rsplit("/", 1)[-1]}</a>'
    ) in after


def test_a_document_out_for_signature_offers_no_paper_form(staff, registration):
    Document.objects.filter(pk=registration.pk).update(signature_state=SignatureState.OUT_FOR_SIGNATURE)

    assert "Unterschrift auf Papier erfassen" not in staff.get(change_url(registration)).content.decode()


def test_the_scan_downloads_with_its_bytes(staff, staff_user, registration, scan):
    recorded(registration, scan, staff_user)

    response = staff.get(scan_url(registration))

    filename = f"{registration.filename.removesuffix('.pdf')}-papier.pdf"
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert b"".join(response.streaming_content) == scan


def test_a_document_without_paper_signature_has_no_scan(staff, registration):
    assert staff.get(scan_url(registration)).status_code == 404


def test_staff_without_the_formation_permission_may_look_but_not_record(viewer, staff_user, registration, scan):
    assert viewer.get(form_url(registration)).status_code == 403
    assert post(viewer, registration, scan).status_code == 403
    assert "Unterschrift auf Papier erfassen" not in viewer.get(change_url(registration)).content.decode()
    assert (PaperSignature.objects.count(), Document.objects.get(pk=registration.pk).signature_state) == (0, "unsigned")

    recorded(registration, scan, staff_user)
    assert b"".join(viewer.get(scan_url(registration)).streaming_content) == scan


def test_utility_users_reach_neither_the_form_nor_the_scan(client, staff_user, registration, scan):
    recorded(registration, scan, staff_user)
    client.force_login(UtilityUserFactory(utility=registration.community.utility))

    for response in (client.get(form_url(registration)), client.get(scan_url(registration))):
        assert (response.status_code, response.url.split("?")[0]) == (302, reverse("admin:login"))
