"""The Swiss QR-bill payment part of an issued invoice (domain A12).

``qrbill`` checks the bill and gives its payload and formatted values; the template
``templates/documents/payment_part.html`` lays it out and the QR code is a PNG made here, one pixel per module:
WeasyPrint draws that far faster than qrbill's SVG of some forty texts and a path.

Since SIX IG 2.3 (November 2025) only structured addresses are valid, so the creditor (the LEG, from the
invoice's issuer snapshot) and the debtor (the recipient snapshot) must have every part of their address.
The reference is a QR reference (QRR) when the IBAN is a QR-IBAN, otherwise an ISO 11649 creditor reference
(RF); both are derived from the community and the invoice number, so they are unique and can be recomputed.
"""

import struct
import zlib
from base64 import b64encode
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from qrbill import QRBill
from qrbill.bill import format_ref_number

from billing.models import Invoice, InvoiceKind
from billing.payment_slip import qr_bill_problems
from billing.references import invoice_reference
from documents.qr_matrix import qr_matrix
from openleg.errors import DomainError

ADDITIONAL_INFORMATION_LENGTH = 140
_QRBILL_LANGUAGES = ("de", "fr", "it", "en")
_UNSPLIT = 90  # longer than any address line qrbill accepts: the payment part's layout wraps long lines itself
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_DARK, _LIGHT = b"\x00", b"\xff"


class QrBillError(DomainError):
    code = "qr_bill_invalid"


@dataclass(frozen=True)
class PaymentPart:
    """What the payment part template (``templates/documents/payment_part.html``) prints, already formatted."""

    reference: str  # unformatted: 27 digits (QRR) or RF and up to 23 characters (SCOR)
    qr_data: str  # the payload of the QR code, lines separated by CR LF
    qr_png: bytes  # the QR code, one grey-scale pixel per module, no quiet zone
    account: str  # the IBAN in groups of four
    reference_display: str  # the reference in groups, as SIX prints it
    creditor: list[str]  # name, street and number, country-postcode town
    debtor: list[str]
    additional_information: str
    currency: str
    amount: str  # with a space between thousands: 1 234.50

    @property
    def qr_png_uri(self) -> str:
        return f"data:image/png;base64,{b64encode(self.qr_png).decode()}"


def is_payable(invoice: Invoice) -> bool:
    """Only an invoice with an amount due gets a payment part; credit notes and credits are paid out."""
    return invoice.kind == InvoiceKind.INVOICE and invoice.total_chf > 0


def reference_of(invoice: Invoice, iban: str) -> str:
    return invoice_reference(community_id=invoice.community_id, number=invoice.number, iban=iban)


def period_label(invoice: Invoice) -> str:
    """'März 2026' for a billing month, otherwise the dates from and to."""
    start, end = invoice.period_from, invoice.period_to
    if (start.year, start.month) == (end.year, end.month):
        return date_format(start, "F Y")
    return f"{start:%d.%m.%Y}–{end:%d.%m.%Y}"


def additional_information(invoice: Invoice) -> str:
    text = f"{invoice.get_kind_display()} {invoice.display_number} {invoice.issuer['name']}, {period_label(invoice)}"
    return text[:ADDITIONAL_INFORMATION_LENGTH]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def matrix_png(matrix: list[list[bool]]) -> bytes:
    """A PNG of ``matrix``: 8-bit grey scale (which WeasyPrint embeds as it is), one pixel per module."""
    size = len(matrix)
    # each scanline: filter type 0 (none), then one byte per pixel
    scanlines = b"".join(b"\x00" + b"".join(_DARK if dark else _LIGHT for dark in row) for row in matrix)
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)  # 8 bits, grey scale, deflate, no interlace
    return b"".join(
        (
            _PNG_SIGNATURE,
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(scanlines, 9)),
            _png_chunk(b"IEND", b""),
        )
    )


def _qr_address(party: dict) -> dict:
    return {
        "name": party["name"],
        "street": party["street"],
        "house_num": party["house_number"],
        "pcode": party["postcode"],
        "city": party["town"],
        "country": party["country"],
    }


def _language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    return language if language in _QRBILL_LANGUAGES else "de"


def _qr_bill(invoice: Invoice, amount: Decimal | None = None) -> QRBill:
    if not is_payable(invoice):
        raise QrBillError(
            _("%(invoice)s hat keinen Betrag zu bezahlen und daher keinen Einzahlungsschein.") % {"invoice": invoice}
        )
    problems = qr_bill_problems(invoice.issuer, invoice.recipient)
    if problems:
        raise QrBillError(_("QR-Einzahlungsschein nicht möglich: %(problems)s") % {"problems": " ".join(problems)})
    iban = invoice.issuer["iban"].replace(" ", "").upper()
    try:
        return QRBill(
            account=iban,
            creditor=_qr_address(invoice.issuer),
            debtor=_qr_address(invoice.recipient),
            amount=str(invoice.total_chf if amount is None else amount),
            currency="CHF",
            reference_number=reference_of(invoice, iban),
            additional_information=additional_information(invoice),
            language=_language(),
        )
    except ValueError as error:  # what qrbill checks beyond the above, e.g. an unknown country code
        raise QrBillError(_("QR-Einzahlungsschein nicht möglich: %(error)s") % {"error": error}) from error


def _grouped_iban(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def payment_part(invoice: Invoice, amount: Decimal | None = None) -> PaymentPart:
    """The QR-bill payment part of a payable invoice; QrBillError (German) names what is missing."""
    bill = _qr_bill(invoice, amount)
    qr_data = bill.qr_data()
    return PaymentPart(
        reference=bill.reference_number,
        qr_data=qr_data,
        qr_png=matrix_png(qr_matrix(qr_data)),
        account=_grouped_iban(bill.account),
        reference_display=format_ref_number(bill),
        creditor=list(bill.creditor.as_paragraph(max_chars=_UNSPLIT)),
        debtor=list(bill.debtor.as_paragraph(max_chars=_UNSPLIT)),
        additional_information=bill.additional_information,
        currency=bill.currency,
        amount=f"{Decimal(bill.amount):,.2f}".replace(",", " "),
    )
