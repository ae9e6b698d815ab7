"""Issued invoices and credit notes as documents: one PDF each, rendered together (documents.pdf.htmls_to_pdfs)."""

from django.utils.text import slugify

from billing.models import Invoice
from communities.models import Community
from documents.invoice_pdf import invoice_html
from documents.leg_documents import DocumentDraft
from documents.models import DocumentKind, SignatureState


def invoice_drafts(community: Community) -> list[DocumentDraft]:
    invoices = (
        Invoice.objects.filter(community=community)
        .select_related("community", "participant", "corrects")
        .prefetch_related("lines")
        .order_by("number")
    )
    return [
        DocumentDraft(
            kind=DocumentKind.INVOICE,
            subject=f"invoice:{invoice.pk}",
            title=str(invoice),
            filename=slugify(f"{invoice.get_kind_display()} {invoice.display_number}"),
            html=invoice_html(invoice),
            participant=invoice.participant,
            invoice=invoice,
            signature_state=SignatureState.NOT_REQUIRED,
        )
        for invoice in invoices
    ]
