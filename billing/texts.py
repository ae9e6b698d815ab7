"""The words on statements and invoices, through Django's translation machinery.

``billing.calculation`` is pure and takes these as plain format strings; this module is the one
place that says them in the user's language.
"""

from django.utils.translation import gettext as _


def statement_labels() -> dict[str, str]:
    return {
        "energy": _("LEG-Strom"),
        "credit": _("Gutschrift LEG-Lieferung"),
        "vat": _("MWST %(rate)s %%"),
        "consumption": _("Gesamtverbrauch"),
        "leg_share": _("davon aus der LEG (%(share)s %%)"),
        "residual": _("Reststrom, wird vom Netzbetreiber verrechnet"),
        "saving": _("Geschätzte Einsparung Netznutzung (%(rate)s %% Abschlag, verrechnet durch den Netzbetreiber)"),
        "production": _("Gesamtproduktion"),
        "surplus": _("Überschuss, wird vom Netzbetreiber vergütet"),
    }


def carry_label(item, amount) -> str:
    """The line that settles an open item on the next invoice: a credit, or what a credit note asks back."""
    if amount < 0:
        return _("Guthaben aus %(item)s") % {"item": item}
    return _("Nachbelastung aus %(item)s") % {"item": item}
