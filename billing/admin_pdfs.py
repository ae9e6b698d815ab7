"""The invoice PDFs in the staff console: progress on the run's page, each invoice's PDF, a ZIP of the run's PDFs.

The PDFs are ``billing.InvoicePdf`` rows that the documents app renders; billing only reads them (and the error of
the last rendering through the reverse relation ``pdf_rendering``), so it never imports documents.
"""

import zipfile
from pathlib import Path
from tempfile import SpooledTemporaryFile

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from billing.models import BillingRun, Invoice, InvoicePdf

_IN_MEMORY_ZIP_BYTES = 20 * 1024 * 1024  # larger ZIPs spill to a temporary file


def pdf_summary(run: BillingRun) -> dict:
    """For the run's page: how many of its invoices have their PDF, and the last rendering error (two queries)."""
    counts = Invoice.objects.filter(run=run).aggregate(total=Count("pk"), done=Count("pk", filter=Q(pdf__isnull=False)))
    error = BillingRun.objects.filter(pk=run.pk).values_list("pdf_rendering__error", flat=True).first() or ""
    complete = counts["done"] == counts["total"]
    return {
        **counts,
        "complete": complete,
        "error": "" if complete else error,
        "refresh": not complete and not error,
    }


def pdf_filename(pdf: InvoicePdf) -> str:
    return Path(pdf.file.name).name


def pdf_link(invoice: Invoice) -> str:
    """A link to the invoice's PDF, or a dash while it is not rendered yet."""
    pdf = InvoicePdf.objects.filter(invoice=invoice).first()
    if pdf is None:
        return _("noch nicht erstellt")
    return format_html(
        '<a href="{}">{}</a>', reverse("admin:billing_invoice_pdf", args=[invoice.pk]), pdf_filename(pdf)
    )


def invoice_pdf_view(model_admin, request, object_id):
    pdf = get_object_or_404(InvoicePdf.objects.select_related("invoice"), invoice_id=object_id)
    if not model_admin.has_view_permission(request, pdf.invoice):
        raise PermissionDenied
    return FileResponse(pdf.file.open("rb"), as_attachment=True, filename=pdf_filename(pdf))


def run_pdfs_zip_view(model_admin, request, object_id):
    """Every PDF of the run in one ZIP, named by number (built in memory, in a temporary file when large)."""
    run = get_object_or_404(BillingRun.objects.select_related("community"), pk=object_id)
    if not model_admin.has_view_permission(request, run):
        raise PermissionDenied
    archive = SpooledTemporaryFile(max_size=_IN_MEMORY_ZIP_BYTES)  # noqa: SIM115  (FileResponse closes it)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as out:  # PDFs are compressed already
        for pdf in InvoicePdf.objects.filter(invoice__run=run).order_by("invoice__number"):
            with pdf.file.open("rb") as stored:
                out.writestr(pdf_filename(pdf), stored.read())
    archive.seek(0)
    filename = f"PDFs-{run.community_id}-{run.year}-{run.month:02d}.zip"
    return FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")


def run_pdf_urls(model_admin) -> list:
    view = model_admin.admin_site.admin_view
    return [
        path(
            "<int:object_id>/pdfs.zip",
            view(lambda request, object_id: run_pdfs_zip_view(model_admin, request, object_id)),
            name="billing_billingrun_pdfs_zip",
        ),
    ]


def invoice_pdf_urls(model_admin) -> list:
    view = model_admin.admin_site.admin_view
    return [
        path(
            "<int:object_id>/pdf/",
            view(lambda request, object_id: invoice_pdf_view(model_admin, request, object_id)),
            name="billing_invoice_pdf",
        ),
    ]
