"""Payment references of invoices: made from the community and the invoice number, and read back from a payment.

A QR reference (QRR, with a QR-IBAN) or an ISO 11649 creditor reference (RF, with an ordinary IBAN) carries the
community id and the ten-digit invoice number, so every reference is unique, can be recomputed, and a bank's
payment notification names its invoice without a lookup table.
"""

from dataclasses import dataclass

from openleg.iban import is_qr_iban, mod97

_MOD10_TABLE = (0, 9, 4, 6, 8, 2, 7, 1, 3, 5)
_NUMBER_DIGITS = 10
_QRR_LENGTH = 27


@dataclass(frozen=True)
class InvoiceKey:
    community_id: int
    number: int


def mod10_recursive(digits: str) -> int:
    """The check digit of a QR reference (the recursive modulo 10 of the former ESR)."""
    carry = 0
    for digit in digits:
        carry = _MOD10_TABLE[(carry + int(digit)) % 10]
    return (10 - carry) % 10


def qr_reference(digits: str) -> str:
    """A 27-digit QR reference: up to 26 digits, left-padded with zeros, and the check digit."""
    body = digits.zfill(26)
    return f"{body}{mod10_recursive(body)}"


def creditor_reference(body: str) -> str:
    """An ISO 11649 creditor reference: RF, two check digits, the body (up to 21 letters or digits)."""
    return f"RF{98 - mod97(f'{body}RF00'):02d}{body}"


def reference_body(community_id: int, number: int) -> str:
    return f"{community_id}{number:0{_NUMBER_DIGITS}d}"


def invoice_reference(*, community_id: int, number: int, iban: str) -> str:
    """QRR for a QR-IBAN, RF otherwise; the fixed-width number keeps community and number apart."""
    body = reference_body(community_id, number)
    return qr_reference(body) if is_qr_iban(iban) else creditor_reference(body)


def invoice_key(reference: str) -> InvoiceKey | None:
    """The community and invoice number a QR or RF reference names, or None when it is not one of ours
    (wrong length or check digits, or a body that does not hold a community and a number)."""
    compact = reference.replace(" ", "").upper()
    if compact.startswith("RF"):
        body = compact[4:]
        if not (5 <= len(compact) <= 25 and body.isdigit() and creditor_reference(body) == compact):
            return None
    elif len(compact) == _QRR_LENGTH and compact.isdigit():
        if mod10_recursive(compact[:-1]) != int(compact[-1]):
            return None
        body = compact[:-1].lstrip("0")
    else:
        return None
    if len(body) <= _NUMBER_DIGITS:
        return None
    community_id, number = int(body[:-_NUMBER_DIGITS]), int(body[-_NUMBER_DIGITS:])
    return InvoiceKey(community_id, number) if community_id > 0 and number > 0 else None
