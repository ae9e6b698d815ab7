"""The e-mail that carries an invoice, credit statement or credit note: German subject and body from
``templates/documents/email/``, the PDF attached, the community as sender."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from billing.models import Invoice, InvoiceKind
from documents.invoice_pdf import settlement_sentence
from documents.mail import Attachment, Mail
from documents.qr import is_payable, period_label
from openleg.formats import format_chf

TEMPLATES = {
    InvoiceKind.INVOICE: "invoice",
    InvoiceKind.CREDIT_STATEMENT: "credit_statement",
    InvoiceKind.CREDIT_NOTE: "credit_note",
}


def invoice_mail(invoice: Invoice, *, to: str) -> Mail:
    """The message for ``invoice`` to ``to``; the invoice's PDF must exist (``billing.InvoicePdf``)."""
    community = invoice.community
    name = TEMPLATES[invoice.kind]
    context = {
        "invoice": invoice,
        "kind": invoice.get_kind_display(),
        "number": invoice.display_number,
        "period": period_label(invoice),
        "amount": format_chf(abs(invoice.total_chf)),
        "due": f"{invoice.due_date:%d.%m.%Y}",
        "recipient": invoice.recipient["name"],
        "community": community.sender_name,
        "payable": is_payable(invoice),
        "settlement": settlement_sentence(invoice),
        "corrects": str(invoice.corrects) if invoice.corrects_id else "",
        "reply_to": community.reply_to_email,
    }
    subject = " ".join(render_to_string(f"documents/email/{name}_subject.txt", context).split())
    body = render_to_string(f"documents/email/{name}_body.txt", context)
    with invoice.pdf.file.open("rb") as stored:
        content = stored.read()
    filename = invoice.pdf.file.name.rsplit("/", 1)[-1]
    return Mail(
        to=to,
        subject=subject or _("Abrechnung"),
        body=body,
        sender_name=community.sender_name,
        reply_to=community.reply_to_email,
        attachments=[Attachment(filename, content)],
    )
