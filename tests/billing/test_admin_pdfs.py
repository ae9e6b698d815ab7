"""The invoice PDFs on the run's page and the invoice's page: progress, links, the ZIP; served to staff only."""

import io
import zipfile

import pytest
from django.urls import reverse

from billing.models import Invoice, InvoicePdf
from billing.services import billing_run_approve, billing_run_start
from communities.models import Door
from documents.models import RunPdfRendering
from tests.accounts.factories import UtilityUserFactory
from tests.billing.test_admin import text

pytestmark = pytest.mark.django_db

IBAN = "CH93 0076 2011 6238 5295 7"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def draft(march_community):
    march_community.iban = IBAN
    march_community.save()
    return billing_run_start(community=march_community, year=2026, month=3)


@pytest.fixture
def issued(draft, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        billing_run_approve(run=draft, actor=staff_user)
    return draft


def page(run) -> str:
    return reverse("admin:billing_billingrun_change", args=[run.pk])


def test_the_run_page_links_every_pdf_and_the_zip(staff, issued):
    html = text(staff.get(page(issued)))
    invoices = list(Invoice.objects.filter(run=issued).order_by("number"))

    assert "PDF: 5 von 5 erstellt" in html
    assert 'http-equiv="refresh"' not in html
    for invoice in invoices:
        assert reverse("admin:billing_invoice_pdf", args=[invoice.pk]) in html
    assert reverse("admin:billing_billingrun_pdfs_zip", args=[issued.pk]) in html
    assert reverse("admin:documents_dispatch_outbox", args=[issued.pk]) in html
    assert "PDFs erneut erstellen" not in html


def test_while_pdfs_are_rendered_the_page_refreshes_itself(staff, draft, staff_user):
    billing_run_approve(run=draft, actor=staff_user)  # the rendering waits for a commit that never comes

    html = text(staff.get(page(draft)))

    assert "PDF: 0 von 5 erstellt · wird erstellt; die Seite lädt sich neu" in html
    assert '<meta http-equiv="refresh" content="10">' in html


def test_a_failed_rendering_shows_its_error_and_can_be_retried(
    staff, draft, staff_user, django_capture_on_commit_callbacks
):
    billing_run_approve(run=draft, actor=staff_user)
    error = "Die PDFs 1-000001 bis 1-000005 konnten nicht erstellt werden"
    RunPdfRendering.objects.filter(run=draft).update(error=error)

    html = text(staff.get(page(draft)))
    assert f"PDF-Erstellung fehlgeschlagen: {error}" in html
    assert 'http-equiv="refresh"' not in html
    assert "PDFs erneut erstellen" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("admin:documents_dispatch_render", args=[draft.pk]), follow=True)

    assert "Die fehlenden PDFs werden erneut erstellt." in text(response)
    assert "PDF: 5 von 5 erstellt" in text(staff.get(page(draft)))
    assert RunPdfRendering.objects.get(run=draft).door == Door.ADMIN


def test_an_invoice_pdf_is_served_with_its_german_filename(staff, issued):
    invoice = Invoice.objects.filter(run=issued).order_by("number").first()
    url = reverse("admin:billing_invoice_pdf", args=[invoice.pk])

    assert url in text(staff.get(reverse("admin:billing_invoice_change", args=[invoice.pk])))
    response = staff.get(url)

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="Rechnung-{invoice.display_number}.pdf"'
    with invoice.pdf.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()


def test_the_zip_holds_every_pdf_by_number(staff, issued):
    response = staff.get(reverse("admin:billing_billingrun_pdfs_zip", args=[issued.pk]))

    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (f'attachment; filename="PDFs-{issued.community_id}-2026-03.zip"')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    pdfs = list(InvoicePdf.objects.filter(invoice__run=issued).order_by("invoice__number"))
    prefix = f"{issued.community_id}-00000"
    assert archive.namelist() == [
        f"Rechnung-{prefix}1.pdf",
        f"Rechnung-{prefix}2.pdf",
        f"Rechnung-{prefix}3.pdf",
        f"Gutschrift-{prefix}4.pdf",
        f"Gutschrift-{prefix}5.pdf",
    ]
    for name, pdf in zip(archive.namelist(), pdfs, strict=True):
        with pdf.file.open("rb") as stored:
            assert archive.read(name) == stored.read()


def test_pdfs_are_for_staff_only(client, issued):
    invoice = Invoice.objects.filter(run=issued).first()
    client.force_login(UtilityUserFactory(utility=issued.community.utility))

    assert client.get(reverse("admin:billing_invoice_pdf", args=[invoice.pk])).status_code == 302
    assert client.get(reverse("admin:billing_billingrun_pdfs_zip", args=[issued.pk])).status_code == 302


def test_rendering_the_pdfs_of_a_run_without_invoices_says_there_is_nothing_to_render(
    staff, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = staff.post(reverse("admin:documents_dispatch_render", args=[draft.pk]), follow=True)

    html = text(response)
    assert (
        "Der Lauf März 2026 hat keine Rechnungen, Gutschriften oder Stornos: es gibt keine PDFs zu erstellen." in html
    )
    assert "werden erneut erstellt" not in html
    assert queued == []
    assert not RunPdfRendering.objects.filter(run=draft).exists()
