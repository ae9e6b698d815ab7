"""Invoices and credit notes as HTML and PDF (domain A10), from the invoice's own copied data only.

An invoice with an amount due ends with the QR-bill payment part at the bottom of its last page; a credit statement
("Gutschrift") or a credit note ("Storno") says how the amount is settled instead, as the community's setting
(``credit_handling``) makes it happen.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from billing.invoicing import CHARGED
from billing.models import Invoice, InvoiceKind, InvoiceLine
from billing.receivables import open_amount
from communities.models import CreditHandling
from documents.pdf import htmls_to_pdfs
from documents.qr import is_payable, payment_part, period_label
from documents.templating import render_document_html
from openleg.addresses import address_lines
from openleg.formats import format_chf, format_quantity, format_unit_price, swiss_number
from openleg.iban import compact_iban
from openleg.periods import local_date

TEMPLATE = "documents/invoice.html"


@dataclass
class Row:
    label: str
    quantity: str = ""
    price: str = ""
    amount: str = ""
    css: str = ""


@dataclass
class Section:
    rows: list[Row]
    title: str = ""
    css: str = ""


@dataclass
class Issuer:
    name: str
    lines: list[str] = field(default_factory=list)
    representative: str = ""
    vat_number: str = ""


def _day(value) -> str:
    return f"{value:%d.%m.%Y}"


def _quantity(line: InvoiceLine) -> str:
    return "" if line.quantity is None else format_quantity(line.quantity, line.unit)


def _price(line: InvoiceLine) -> str:
    return "" if line.unit_price is None else format_unit_price(line.unit_price, line.unit)


def _sign(invoice: Invoice) -> int:
    """Where the community owes the participant (a credit), amounts are shown from the participant's side: what
    they get is positive and the column adds up to "Ihr Guthaben"; otherwise as booked."""
    return -1 if invoice.total_chf < 0 else 1


def _row(line: InvoiceLine, sign: int = 1) -> Row:
    amount = "" if line.amount_chf is None else format_chf(sign * line.amount_chf)
    return Row(line.label, _quantity(line), _price(line), amount)


def _totals(invoice: Invoice, carried: list[InvoiceLine]) -> list[Row]:
    """Subtotal and VAT where there is VAT, the credits carried over from earlier statements, then the total."""
    sign = _sign(invoice)
    rows = []
    if invoice.vat_rate:
        rate = swiss_number(invoice.vat_rate * 100, 1)
        rows += [
            Row(_("Zwischensumme"), amount=format_chf(sign * invoice.subtotal_chf)),
            Row(_("MWST %(rate)s %%") % {"rate": rate}, amount=format_chf(sign * invoice.vat_chf)),
        ]
    elif carried:
        rows.append(Row(_("Zwischensumme"), amount=format_chf(sign * (invoice.subtotal_chf + invoice.vat_chf))))
    rows += [_row(line, sign) for line in carried]
    label = _("Ihr Guthaben") if sign < 0 else _("Total")
    return [*rows, Row(label, amount=format_chf(sign * invoice.total_chf), css="total")]


def _sections(invoice: Invoice) -> list[Section]:
    lines = list(invoice.lines.all())
    info = [_row(line) for line in lines if line.kind == "info"]
    sections = [
        Section([_row(line, _sign(invoice)) for line in lines if line.kind in CHARGED]),
        Section(_totals(invoice, [line for line in lines if line.kind == "carry"]), css="totals"),
    ]
    if info:
        sections.append(Section(info, title=_("Zur Information (nicht verrechnet)"), css="info"))
    return sections


def _facts(invoice: Invoice) -> list[tuple[str, str]]:
    facts = [
        (_("Nummer"), invoice.display_number),
        (_("Kundennummer"), invoice.customer_number),
        (_("Datum"), _day(local_date(invoice.issued_at))),
    ]
    if is_payable(invoice):
        facts.append((_("Zahlbar bis"), _day(invoice.due_date)))
    facts.append((_("Leistungszeitraum"), f"{_day(invoice.period_from)} – {_day(invoice.period_to)}"))
    if invoice.corrects_id:
        facts.append((_("Storniert Rechnung"), invoice.corrects.display_number))
    return facts


def masked_iban(iban: str) -> str:
    """An IBAN in groups of four with all but its country, check digits and last four characters hidden:
    ``CH93 **** **** **** *295 7``. Enough for the holder to recognise the account on paper and in e-mail."""
    compact = compact_iban(iban)
    masked = compact[:4] + "*" * (len(compact) - 8) + compact[-4:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))


def _credit_sentence(invoice: Invoice, amount: str, *, what: str) -> str:
    """What happens with money the community owes the participant, as the community's setting makes it happen."""
    values = {"amount": amount, "what": what, "days": settings.OPENLEG_PAYOUT_DAYS}
    if invoice.community.credit_handling == CreditHandling.CARRY_OVER:
        return _("%(what)s von CHF %(amount)s wird mit Ihrer nächsten Abrechnung verrechnet.") % values
    participant = invoice.participant
    if not participant.iban:
        return " ".join(
            [
                _("%(what)s von CHF %(amount)s wird Ihnen ausbezahlt.") % values,
                _("Bitte teilen Sie uns Ihre Bankverbindung (IBAN) mit, damit wir das Guthaben auszahlen können."),
            ]
        )
    values |= {"iban": masked_iban(participant.iban), "holder": participant.payout_account_holder}
    return (
        _(
            "%(what)s von CHF %(amount)s überweisen wir innert %(days)s Tagen auf das Konto %(iban)s "
            "(lautend auf %(holder)s)."
        )
        % values
    )


def _credit_note_sentence(invoice: Invoice) -> str:
    """A credit note settles what the original still asked for; only what was already paid (or paid out) is left."""
    original = invoice.corrects
    left = open_amount(invoice)
    values = {"original": original.display_number, "amount": format_chf(abs(left))}
    if left < 0:
        return _credit_sentence(invoice, values["amount"], what=_("Ihre Zahlung an die Rechnung %(original)s") % values)
    if left > 0:
        return (
            _(
                "Die Gutschrift %(original)s wurde bereits ausgeglichen; CHF %(amount)s werden mit Ihrer nächsten "
                "Abrechnung verrechnet."
            )
            % values
        )
    if original.kind == InvoiceKind.CREDIT_STATEMENT:
        return _("Die Gutschrift %(original)s ist damit aufgehoben und wird nicht ausbezahlt.") % values
    return _("Die Rechnung %(original)s ist damit aufgehoben; Sie müssen sie nicht bezahlen.") % values


def settlement_sentence(invoice: Invoice) -> str:
    """How the total is settled, true to what OpenLEG and the community's setting do: paid with the QR-bill,
    paid out to the participant's account, or offset with the next invoice."""
    if is_payable(invoice):
        amount = {"amount": format_chf(invoice.total_chf), "due": _day(invoice.due_date)}
        return _("Bitte bezahlen Sie CHF %(amount)s bis am %(due)s mit dem QR-Einzahlungsschein unten.") % amount
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        return _credit_note_sentence(invoice)
    if invoice.total_chf < 0:
        return _credit_sentence(invoice, format_chf(-invoice.total_chf), what=_("Ihr Guthaben"))
    return _("Es ist kein Betrag zu bezahlen.")


def _notes(invoice: Invoice) -> list[str]:
    notes = [settlement_sentence(invoice)]
    if invoice.kind == InvoiceKind.CREDIT_NOTE and invoice.reason:
        notes.append(_("Grund der Stornierung: %(reason)s") % {"reason": invoice.reason})
    if invoice.provisional_data:
        notes.append(
            _(
                "Diese Abrechnung beruht teilweise auf provisorischen Messdaten des Netzbetreibers; "
                "Korrekturen werden mit einer späteren Abrechnung ausgeglichen."
            )
        )
    return notes


def _issuer(snapshot: dict, vat_number: str) -> Issuer:
    return Issuer(snapshot["name"], address_lines(snapshot), snapshot.get("representative") or "", vat_number)


def invoice_context(invoice: Invoice) -> dict:
    return {
        "title": f"{invoice.get_kind_display()} {invoice.display_number}",
        "amount_header": _("Guthaben CHF") if _sign(invoice) < 0 else _("Betrag CHF"),
        "subject": _("Abrechnung %(period)s") % {"period": period_label(invoice)},
        "issuer": _issuer(invoice.issuer, invoice.vat_number),
        "recipient_lines": address_lines(invoice.recipient),
        "facts": _facts(invoice),
        "sections": _sections(invoice),
        "notes": _notes(invoice),
        "payment": payment_part(invoice) if is_payable(invoice) else None,
    }


def invoice_html(invoice: Invoice) -> str:
    """The invoice or credit note as a German HTML document for ``documents.pdf``; every value escaped."""
    return render_document_html(TEMPLATE, invoice_context(invoice), document=str(invoice))


def invoices_pdfs(invoices: Iterable[Invoice]) -> list[bytes]:
    """One PDF per invoice, in order, rendered together (see ``documents.pdf.htmls_to_pdfs``)."""
    invoices = list(invoices)
    prefetch_related_objects(invoices, "lines", "corrects")
    return htmls_to_pdfs([invoice_html(invoice) for invoice in invoices])
