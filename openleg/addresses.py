"""Structured Swiss postal address: QR-bills since SIX IG 2.3 accept only structured addresses."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

swiss_postcode = RegexValidator(r"^[1-9]\d{3}$", _("Eine Schweizer Postleitzahl hat vier Ziffern, z. B. 8001."))


class StructuredAddress(models.Model):
    street = models.CharField(_("Strasse"), max_length=70)
    house_number = models.CharField(_("Hausnummer"), max_length=16, blank=True)
    postcode = models.CharField(_("PLZ"), max_length=16, validators=[swiss_postcode])
    town = models.CharField(_("Ort"), max_length=35)
    country = models.CharField(_("Land"), max_length=2, default="CH")

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        # Foreign postcodes have other shapes; the Swiss rule applies to Swiss addresses only.
        if self.country != "CH":
            exclude = {*(exclude or ()), "postcode"}
        super().clean_fields(exclude=exclude)

    @property
    def address_lines(self) -> list[str]:
        street_line = f"{self.street} {self.house_number}".strip()
        return [street_line, f"{self.postcode} {self.town}"]


def address_lines(party: dict) -> list[str]:
    """Name, street and town of an address snapshot (an invoice's issuer or recipient); the country only when it
    is not Switzerland."""
    street = f"{party['street']} {party['house_number']}".strip()
    town = f"{party['postcode']} {party['town']}".strip()
    if party["country"] != "CH":
        town = f"{party['country']}-{town}"
    return [line for line in (party["name"], street, town) if line]
