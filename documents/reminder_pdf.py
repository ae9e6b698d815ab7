"""Payment reminders as HTML and PDF: the invoice's parties as issued, what is still open, the fee, a QR-bill.

The QR-bill carries the invoice's own reference and asks for the open amount plus the fee, so that paying the
reminder settles the invoice (``payments`` books a payment by the reference).
"""

import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils.text import slugify
from django.utils.translation import gettext as _

from billing.models import SettlementKind
from documents.invoice_pdf import Issuer, Row, Section
from documents.pdf import htmls_to_pdfs
from documents.qr import payment_part
from documents.templating import render_document_html
from openleg.addresses import address_lines
from openleg.errors import DomainError
from openleg.formats import format_chf
from openleg.periods import local_date, utc_now
from payments.models import Reminder

TEMPLATE = "documents/reminder.html"


def reminder_title(level: int) -> str:
    if level == 1:
        return _("Zahlungserinnerung")
    return _("%(level)s. Mahnung") % {"level": level}


def _day(value) -> str:
    return f"{value:%d.%m.%Y}"


def _earlier_fees(reminder: Reminder) -> Decimal:
    """Fees of the invoice's earlier reminders (booked on the invoice, so part of the open amount)."""
    fees = reminder.invoice.settlements.filter(kind=SettlementKind.REMINDER_FEE)
    if reminder.fee_settlement_id:
        fees = fees.exclude(pk=reminder.fee_settlement_id)
    return fees.aggregate(total=Sum("amount_chf"))["total"] or Decimal("0.00")


def _rows(reminder: Reminder) -> list[Section]:
    invoice = reminder.invoice
    earlier = _earlier_fees(reminder)
    settled = reminder.open_chf - invoice.total_chf - earlier
    rows = [
        Row(
            _("%(invoice)s vom %(date)s") % {"invoice": invoice, "date": _day(local_date(invoice.issued_at))},
            amount=format_chf(invoice.total_chf),
        )
    ]
    if settled:
        rows.append(Row(_("bereits bezahlt oder verrechnet"), amount=format_chf(settled)))
    if earlier:
        rows.append(Row(_("Mahngebühren früherer Mahnungen"), amount=format_chf(earlier)))
    if reminder.fee_chf:
        rows.append(Row(_("Mahngebühr"), amount=format_chf(reminder.fee_chf)))
    total = [Row(_("Zu bezahlen"), amount=format_chf(reminder.amount_due), css="total")]
    return [Section(rows), Section(total, css="totals")]


def _notes(reminder: Reminder) -> list[str]:
    values = {
        "invoice": reminder.invoice.display_number,
        "due": _day(reminder.invoice.due_date),
        "amount": format_chf(reminder.amount_due),
        "new_due": _day(reminder.due_date),
    }
    if reminder.level == 1:
        first = _(
            "Unsere Rechnung %(invoice)s war am %(due)s fällig. Vielleicht ist sie Ihnen entgangen: bitte bezahlen "
            "Sie CHF %(amount)s bis am %(new_due)s mit dem QR-Einzahlungsschein unten."
        )
    else:
        first = _(
            "Trotz unserer Erinnerung ist die Rechnung %(invoice)s (fällig am %(due)s) noch nicht bezahlt. Bitte "
            "bezahlen Sie CHF %(amount)s bis am %(new_due)s mit dem QR-Einzahlungsschein unten."
        )
    return [
        first % values,
        _("Haben Sie in den letzten Tagen bezahlt? Dann betrachten Sie dieses Schreiben als gegenstandslos."),
    ]


def reminder_context(reminder: Reminder) -> dict:
    invoice = reminder.invoice
    issuer = invoice.issuer
    return {
        "title": f"{reminder_title(reminder.level)} {invoice.display_number}",
        "issuer": Issuer(issuer["name"], address_lines(issuer), issuer.get("representative") or "", invoice.vat_number),
        "recipient_lines": address_lines(invoice.recipient),
        "facts": [
            (_("Datum"), _day(reminder.run.as_of)),
            (_("Kundennummer"), invoice.customer_number),
            (_("Rechnung"), invoice.display_number),
            (_("ursprünglich fällig"), _day(invoice.due_date)),
            (_("Zahlbar bis"), _day(reminder.due_date)),
        ],
        "sections": _rows(reminder),
        "notes": _notes(reminder),
        "payment": payment_part(invoice, amount=reminder.amount_due),
    }


def reminder_html(reminder: Reminder) -> str:
    return render_document_html(TEMPLATE, reminder_context(reminder), document=str(reminder))


def reminders_pdfs(reminders) -> list[bytes]:
    return htmls_to_pdfs([reminder_html(reminder) for reminder in reminders])


def reminder_pdfs_render(*, reminder_run) -> int:
    """Render the PDF of every reminder of an approved list that has none yet; safe to run twice.

    When rendering fails, the list keeps the reason (shown on its admin page with a button to try again) and the
    error is raised: nothing is sent before every PDF exists. Success clears an earlier reason."""
    reminders = list(
        reminder_run.reminders.filter(pdf="")
        .select_related("run", "invoice", "invoice__community")
        .order_by("invoice__number")
    )
    try:
        pdfs = reminders_pdfs(reminders)
    except Exception as error:
        reason = error.message if isinstance(error, DomainError) else f"{type(error).__name__}: {error}."
        _note_rendering(
            reminder_run,
            _("Die Mahnungen konnten nicht als PDF erstellt werden. %(reason)s Nichts wurde versendet.")
            % {"reason": reason},
        )
        raise
    for reminder, pdf in zip(reminders, pdfs, strict=True):
        name = slugify(f"{reminder_title(reminder.level)} {reminder.invoice.display_number}")
        with transaction.atomic():
            reminder.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
            reminder.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            reminder.save(update_fields=["pdf", "pdf_sha256"])
    _note_rendering(reminder_run, "")
    return len(reminders)


def _note_rendering(reminder_run, error: str) -> None:
    type(reminder_run).objects.filter(pk=reminder_run.pk).update(
        pdf_error=error, pdf_error_at=utc_now() if error else None
    )
