"""Whether an invoice's parties can be put on a Swiss QR-bill (SIX IG 2.3, domain A12): the issuer's IBAN and
both structured addresses. Billing checks it before it issues invoices; documents.qr draws the bill.
"""

from django.utils.translation import gettext as _

from openleg.iban import compact_iban, swiss_iban_error


def _address_fields() -> tuple[tuple[str, str, int], ...]:
    """Snapshot key, German label and the longest value the QR-bill accepts (SIX IG 2.3)."""
    return (
        ("name", _("Name"), 70),
        ("street", _("Strasse"), 70),
        ("house_number", _("Hausnummer"), 16),
        ("postcode", _("Postleitzahl"), 16),
        ("town", _("Ort"), 35),
        ("country", _("Land"), 2),
    )


def iban_problem(iban: str) -> str | None:
    """Why ``iban`` cannot receive QR-bill payments, or None."""
    if not compact_iban(iban):
        return _("Die LEG hat keine IBAN für Zahlungen erfasst.")
    return swiss_iban_error(iban)


def address_problems(party: dict, *, whose: str) -> list[str]:
    """What keeps a structured address snapshot out of a QR-bill; ``whose`` names the party in the message."""
    fields = _address_fields()
    missing = [label for key, label, _longest in fields if not str(party.get(key) or "").strip()]
    too_long = [
        _("%(field)s (höchstens %(longest)s Zeichen)") % {"field": label, "longest": longest}
        for key, label, longest in fields
        if len(str(party.get(key) or "").strip()) > longest
    ]
    problems = []
    if missing:
        problems.append(
            _("In der Adresse %(whose)s fehlt: %(fields)s.") % {"whose": whose, "fields": ", ".join(missing)}
        )
    if too_long:
        problems.append(
            _("In der Adresse %(whose)s ist zu lang: %(fields)s.") % {"whose": whose, "fields": ", ".join(too_long)}
        )
    return problems


def qr_bill_problems(issuer: dict, recipient: dict) -> list[str]:
    """Everything that keeps these issuer and recipient snapshots from a QR-bill; empty when they are fine."""
    problems = [
        *address_problems(issuer, whose=_("der LEG «%(name)s»") % {"name": issuer.get("name", "")}),
        *address_problems(recipient, whose=_("von «%(name)s»") % {"name": recipient.get("name", "")}),
    ]
    iban = iban_problem(issuer.get("iban") or "")
    return [iban, *problems] if iban else problems
