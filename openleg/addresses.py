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
        """Street and town, the two lines after the name: ``["Dorfstrasse 3", "3000 Bern"]``."""
        return street_and_town(self.street, self.house_number, self.postcode, self.town, self.country)


def street_and_town(street: str, house_number: str, postcode: str, town: str, country: str = "CH") -> list[str]:
    """The lines of an address after the name; an empty part leaves no gap, a foreign town its country (DE-79539)."""
    town_line = f"{postcode} {town}".strip()
    if country != "CH" and town_line:
        town_line = f"{country}-{town_line}"
    return [line for line in (f"{street} {house_number}".strip(), town_line) if line]


def address_lines(party: dict) -> list[str]:
    """Name, street and town of an address snapshot (an invoice's issuer or recipient); the country only when it
    is not Switzerland."""
    where = street_and_town(party["street"], party["house_number"], party["postcode"], party["town"], party["country"])
    return [line for line in (party["name"], *where) if line]
