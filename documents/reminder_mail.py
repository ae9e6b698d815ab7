"""The e-mail that carries a payment reminder: German subject and body per level from
``templates/documents/email/reminder_*``, the reminder's PDF attached, the community as sender (as for invoices)."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from documents.mail import Attachment, Mail
from documents.reminder_pdf import reminder_title
from openleg.formats import format_chf
from openleg.periods import local_date
from payments.models import Reminder


def reminder_filename(reminder: Reminder) -> str:
    """``Zahlungserinnerung-7-000042.pdf``, ``2-Mahnung-7-000042.pdf``: what a person sees when saving it."""
    title = reminder_title(reminder.level).replace(".", "").replace(" ", "-")
    return f"{title}-{reminder.invoice.display_number}.pdf"


def reminder_mail(reminder: Reminder, *, to: str) -> Mail:
    """The message for ``reminder`` to ``to``; the reminder's PDF must be rendered."""
    invoice = reminder.invoice
    community = invoice.community
    context = {
        "title": reminder_title(reminder.level),
        "first": reminder.level == 1,
        "number": invoice.display_number,
        "issued": f"{local_date(invoice.issued_at):%d.%m.%Y}",
        "invoice_due": f"{invoice.due_date:%d.%m.%Y}",
        "amount": format_chf(reminder.amount_due),
        "fee": format_chf(reminder.fee_chf) if reminder.fee_chf else "",
        "due": f"{reminder.due_date:%d.%m.%Y}",
        "recipient": invoice.recipient["name"],
        "community": community.sender_name,
        "reply_to": community.reply_to_email,
    }
    subject = " ".join(render_to_string("documents/email/reminder_subject.txt", context).split())
    body = render_to_string("documents/email/reminder_body.txt", context)
    if not reminder.pdf:
        raise ValueError(_("Das PDF von %(reminder)s fehlt noch.") % {"reminder": reminder})
    with reminder.pdf.open("rb") as stored:
        content = stored.read()
    return Mail(
        to=to,
        subject=subject,
        body=body,
        sender_name=community.sender_name,
        reply_to=community.reply_to_email,
        attachments=[Attachment(reminder_filename(reminder), content)],
    )
