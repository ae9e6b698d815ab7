"""The invoice PDFs in the staff console: each invoice's PDF and a ZIP of the run's PDFs (``billing.run_zip``).

The PDFs are ``billing.InvoicePdf`` rows that the documents app renders; billing only reads them, so it never
imports documents.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from billing.models import BillingRun, Invoice, InvoicePdf
from billing.run_zip import invoice_pdf_response, pdf_filename, run_pdfs_zip_response


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
    return invoice_pdf_response(pdf)


def run_pdfs_zip_view(model_admin, request, object_id):
    """Every PDF of the run in one ZIP, named by number."""
    run = get_object_or_404(BillingRun.objects.select_related("community"), pk=object_id)
    if not model_admin.has_view_permission(request, run):
        raise PermissionDenied
    return run_pdfs_zip_response(run)


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
