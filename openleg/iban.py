"""IBANs as Swiss payments use them: checked by length and MOD 97 check digits, QR-IBANs told apart.

A QR-IBAN (institution id 30000-31999) only receives payments that carry a QR reference; money is never sent
to one and a payment order is never debited from one, so payouts need the account's ordinary IBAN.
"""

import re

from django.utils.translation import gettext as _

SWISS_COUNTRIES = ("CH", "LI")
SWISS_LENGTH = 21  # CH and LI
QR_IID = range(30000, 32000)  # institution ids of QR-IBANs (positions 5 to 9)
_SHAPE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]+$")


def compact_iban(iban: str) -> str:
    return iban.replace(" ", "").upper()


def mod97(text: str) -> int:
    """ISO 7064 MOD 97-10 over digits and letters (A = 10 … Z = 35), as IBANs and RF references use it."""
    return int("".join(str(int(char, 36)) for char in text)) % 97


def is_qr_iban(iban: str) -> bool:
    compact = compact_iban(iban)
    return len(compact) == SWISS_LENGTH and compact[4:9].isdigit() and int(compact[4:9]) in QR_IID


def swiss_iban_error(iban: str) -> str | None:
    """Why ``iban`` is not a valid Swiss or Liechtenstein IBAN, or None."""
    compact = compact_iban(iban)
    if _SHAPE.match(compact) and compact[:2] not in SWISS_COUNTRIES:
        return _("Die IBAN %(iban)s ist keine Schweizer oder Liechtensteiner IBAN (CH oder LI).") % {"iban": iban}
    if not _SHAPE.match(compact) or len(compact) != SWISS_LENGTH or mod97(compact[4:] + compact[:4]) != 1:
        return _("Die IBAN %(iban)s ist ungültig: Länge oder Prüfziffer stimmt nicht.") % {"iban": iban}
    return None


def payout_iban_error(iban: str) -> str | None:
    """Why money cannot be paid out to ``iban``: invalid, or a QR-IBAN."""
    error = swiss_iban_error(iban)
    if error is None and is_qr_iban(iban):
        return _(
            "Die IBAN %(iban)s ist eine QR-IBAN: sie empfängt nur Zahlungen mit QR-Referenz. Für Auszahlungen "
            "braucht es die gewöhnliche IBAN des Kontos."
        ) % {"iban": iban}
    return error
