"""Invoice PDFs rendered in the background on approval and cancellation: counts, progress, errors, retries."""

import hashlib

import pytest

from api.b2b.cache import bump_generation
from billing.models import Invoice, InvoiceKind, InvoicePdf
from billing.services import billing_run_approve, billing_run_cancel, billing_run_start
from communities.models import Door
from documents import invoice_pdfs
from documents.invoice_pdfs import filename_of, invoice_pdfs_render, invoice_pdfs_render_later, pdf_progress
from documents.models import RunPdfRendering
from tests.billing.conftest import march_community  # noqa: F401  (five members, March 2026)
from tests.documents.pdftext import pdf_text

pytestmark = pytest.mark.django_db

IBAN = "CH93 0076 2011 6238 5295 7"


@pytest.fixture
def run(march_community):  # noqa: F811
    march_community.iban = IBAN
    march_community.save()
    return billing_run_start(community=march_community, year=2026, month=3)


def approve(run, staff_user, capture):
    """Approve after commit; the PDF work it queued (the B2B figures' cache bump is queued too, and left out)."""
    with capture(execute=True) as queued:
        billing_run_approve(run=run, actor=staff_user)
    return [callback for callback in queued if callback is not bump_generation]


def test_approval_renders_every_pdf_after_commit(run, staff_user, django_capture_on_commit_callbacks):
    queued = approve(run, staff_user, django_capture_on_commit_callbacks)

    invoices = list(Invoice.objects.filter(run=run).order_by("number"))
    assert len(queued) == 1
    assert [invoice.kind for invoice in invoices] == [InvoiceKind.INVOICE] * 3 + [InvoiceKind.CREDIT_STATEMENT] * 2
    assert InvoicePdf.objects.filter(invoice__run=run).count() == 5
    for invoice in invoices:
        with invoice.pdf.file.open("rb") as stored:
            content = stored.read()
        assert invoice.pdf.sha256 == hashlib.sha256(content).hexdigest()
        assert invoice.pdf.size_bytes == len(content)
        folder, token, name = invoice.pdf.file.name.rsplit("/", 2)
        assert (folder, len(token), name) == (
            f"invoices/{run.community_id}/{run.pk}",
            22,
            f"{invoice.get_kind_display()}-{invoice.display_number}.pdf",
        )
        assert invoice.display_number in pdf_text(content)
    assert pdf_progress(run=run) == invoice_pdfs.PdfProgress(done=5, total=5, error="")


def test_nothing_is_rendered_before_commit(run, staff_user):
    billing_run_approve(run=run, actor=staff_user)  # the test's transaction never commits

    assert pdf_progress(run=run) == invoice_pdfs.PdfProgress(done=0, total=5, error="")
    rendering = RunPdfRendering.objects.get(run=run)  # asked for by the approval, rendered by a task
    assert (rendering.door, rendering.requested_by) == (Door.ADMIN, staff_user)


def test_chunks_are_committed_one_by_one_and_rendering_twice_renders_nothing_twice(
    run, staff_user, monkeypatch
):
    monkeypatch.setattr(invoice_pdfs, "CHUNK_SIZE", 2)
    billing_run_approve(run=run, actor=staff_user)
    ids = invoice_pdfs.missing_pdf_ids(run=run)

    first = invoice_pdfs_render(invoice_ids=ids[:2])
    assert pdf_progress(run=run).done == 2
    again = invoice_pdfs_render(invoice_ids=ids[:2])

    assert (len(first), again) == (2, [])
    from documents.tasks import render_run_pdfs

    assert render_run_pdfs.delay(run.pk).get() == 3
    assert pdf_progress(run=run) == invoice_pdfs.PdfProgress(done=5, total=5, error="")
    assert render_run_pdfs.delay(run.pk).get() == 0


def test_a_failing_render_is_recorded_keeps_what_rendered_and_a_retry_completes(
    run, staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    real = invoice_pdfs.htmls_to_pdfs
    broken = Invoice.objects.filter(run=run)  # empty until approval
    monkeypatch.setattr(invoice_pdfs, "CHUNK_SIZE", 3)

    def failing(htmls):
        if len(htmls) == 3:
            raise RuntimeError("Schrift nicht gefunden")
        return real(htmls)

    monkeypatch.setattr(invoice_pdfs, "htmls_to_pdfs", failing)
    approve(run, staff_user, django_capture_on_commit_callbacks)

    numbers = [invoice.display_number for invoice in broken.order_by("number")]
    expected = f"Die PDFs {numbers[0]} bis {numbers[2]} konnten nicht erstellt werden: Schrift nicht gefunden"
    assert pdf_progress(run=run) == invoice_pdfs.PdfProgress(done=2, total=5, error=expected)

    monkeypatch.setattr(invoice_pdfs, "htmls_to_pdfs", real)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_pdfs_render_later(run=run, actor=staff_user, door=Door.ADMIN)

    rendering = RunPdfRendering.objects.get(run=run)
    assert (rendering.error, rendering.requested_by, rendering.door) == ("", staff_user, Door.ADMIN)
    assert pdf_progress(run=run) == invoice_pdfs.PdfProgress(done=5, total=5, error="")


def test_cancelling_renders_the_credit_notes(run, staff_user, django_capture_on_commit_callbacks):
    approve(run, staff_user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        billing_run_cancel(run=run, actor=staff_user, reason="Tarif falsch")

    notes = Invoice.objects.filter(run=run, kind=InvoiceKind.CREDIT_NOTE).order_by("number")
    assert [filename_of(note) for note in notes] == [
        f"Storno-{run.community_id}-{number:06d}.pdf" for number in range(6, 11)
    ]
    assert pdf_progress(run=run) == invoice_pdfs.PdfProgress(done=10, total=10, error="")
