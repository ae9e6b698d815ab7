"""Every document and invoice of the demo communities, rendered and read back out of the PDF."""

from io import StringIO

import pytest
from django.core.management import call_command

from billing.models import BillingRun, Invoice, InvoicePdf
from billing.services import billing_run_approve
from communities.models import Community
from documents.models import Document, DocumentKind
from documents.qr import is_payable, payment_part
from openleg.formats import format_chf
from tests.documents.pdftext import pdf_text, squeezed

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(staff_user, django_capture_on_commit_callbacks):
    call_command("load_demo", stdout=StringIO())
    for run in BillingRun.objects.filter(year=2026, month=6):
        with django_capture_on_commit_callbacks(execute=True):
            billing_run_approve(run=run, actor=staff_user, reason="Demo: Juni geprüft", override_missing=True)
    return list(Community.objects.filter(status="active").order_by("pk"))


def read(document: Document | InvoicePdf) -> str:
    with document.file.open("rb") as stored:
        return pdf_text(stored.read())


def test_every_formation_document_of_the_demo_names_its_parties(demo):
    for community in demo:
        documents = Document.objects.filter(community=community)
        participants = list(community.participants.all())
        assert documents.count() == len(participants) + 2
        for document in documents:
            text = squeezed(read(document))
            assert squeezed(community.name) in text
            if document.kind == DocumentKind.CONTRACT:
                assert squeezed(document.participant.display_name) in text
            else:
                assert all(squeezed(p.display_name) in text for p in participants)


def test_every_demo_invoice_is_rendered_on_approval_with_its_figures_and_qr_bill(demo):
    for community in demo:
        documents = list(InvoicePdf.objects.filter(invoice__community=community).order_by("invoice__number"))
        invoices = list(Invoice.objects.filter(community=community).order_by("number"))
        assert [d.invoice for d in documents] == invoices
        assert len(invoices) == community.participants.count()
        for document, invoice in zip(documents, invoices, strict=True):
            text = read(document)
            flat = squeezed(text)
            assert invoice.display_number in text
            assert squeezed(invoice.recipient["name"]) in flat
            assert squeezed(format_chf(abs(invoice.total_chf))) in flat
            if is_payable(invoice):
                part = payment_part(invoice)
                assert part.qr_data.split("\r\n")[3] == community.iban
                assert part.reference in flat  # printed in groups; squeezed it is the reference
                assert f"{invoice.total_chf:.2f}" in part.qr_data
