"""Invoices and credit notes as HTML and PDF (domain A10), from the invoice's own copied data only.

An invoice with an amount due ends with the QR-bill payment part at the bottom of its last page; a credit
note or an invoice without an amount due says how the amount is settled instead.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from billing.invoicing import CHARGED
from billing.models import Invoice, InvoiceKind, InvoiceLine
from documents.pdf import htmls_to_pdfs
from documents.qr import is_payable, payment_part, period_label
from documents.templating import render_document_html
from openleg.energy import format_kwh, kwh_to_wh
from openleg.money import format_chf, format_price
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


def address_lines(party: dict) -> list[str]:
    """Name, street and town of an address snapshot; the country only when it is not Switzerland."""
    street = f"{party['street']} {party['house_number']}".strip()
    town = f"{party['postcode']} {party['town']}".strip()
    if party["country"] != "CH":
        town = f"{party['country']}-{town}"
    return [line for line in (party["name"], street, town) if line]


def _quantity(line: InvoiceLine) -> str:
    if line.quantity is None:
        return ""
    if line.unit == "kWh":
        return f"{format_kwh(kwh_to_wh(line.quantity))} kWh"
    return f"{line.quantity.normalize()} {line.unit}".strip()


def _price(line: InvoiceLine) -> str:
    if line.unit_price is None:
        return ""
    if line.unit == "kWh":
        return f"{format_price(line.unit_price)} Rp./kWh"
    return f"CHF {format_price(line.unit_price)}"


def _row(line: InvoiceLine) -> Row:
    amount = "" if line.amount_chf is None else format_chf(line.amount_chf)
    return Row(line.label, _quantity(line), _price(line), amount)


def _totals(invoice: Invoice) -> list[Row]:
    rows = []
    if invoice.vat_rate:
        rate = f"{invoice.vat_rate * 100:.1f}"
        rows += [
            Row(_("Zwischensumme"), amount=format_chf(invoice.subtotal_chf)),
            Row(_("MWST %(rate)s %%") % {"rate": rate}, amount=format_chf(invoice.vat_chf)),
        ]
    return [*rows, Row(_("Total"), amount=format_chf(invoice.total_chf), css="total")]


def _sections(invoice: Invoice) -> list[Section]:
    lines = list(invoice.lines.all())
    info = [_row(line) for line in lines if line.kind == "info"]
    sections = [
        Section([_row(line) for line in lines if line.kind in CHARGED]),
        Section(_totals(invoice), css="totals"),
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


def _settlement(invoice: Invoice) -> str:
    """How the total is settled: paid with the QR-bill, paid out, or offset."""
    amount = {"amount": format_chf(abs(invoice.total_chf)), "due": _day(invoice.due_date)}
    if is_payable(invoice):
        return _("Bitte bezahlen Sie CHF %(amount)s bis am %(due)s mit dem QR-Einzahlungsschein unten.") % amount
    if invoice.total_chf < 0:
        return _("Sie müssen nichts bezahlen: CHF %(amount)s werden Ihnen gutgeschrieben und ausbezahlt.") % amount
    if invoice.total_chf > 0:  # a credit note reversing a payout
        return _("CHF %(amount)s werden mit Ihrer nächsten Abrechnung verrechnet.") % amount
    return _("Es ist kein Betrag zu bezahlen.")


def _notes(invoice: Invoice) -> list[str]:
    notes = [_settlement(invoice)]
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
