"""The columns of a participant list: the German headers of the template, the other spellings a file may use,
the model field each fills and what the upload page says of its values."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Column:
    key: str  # the model field the column fills
    header: str  # as the template writes it
    required: bool
    aliases: tuple[str, ...] = ()
    hint: str = ""  # what the upload page says of the column's values


_NUMBER = gettext_lazy("Zahl mit Punkt oder Komma, z. B. 12.5 oder 12,5")

# The template's columns in their order. Participant fields first, then the metering point's.
COLUMNS = (
    Column(
        "customer_number",
        gettext_lazy("Kundennummer"),
        True,
        ("kundennr",),
        gettext_lazy("erkennt bestehende Teilnehmende; mehrere Zeilen für mehrere Messpunkte"),
    ),
    Column("last_name", gettext_lazy("Nachname"), True, ("name",), gettext_lazy("leer bei Unternehmen")),
    Column("first_name", gettext_lazy("Vorname"), False),
    Column(
        "company_name",
        gettext_lazy("Firma"),
        False,
        ("firmenname", "unternehmen"),
        gettext_lazy("ausgefüllt: ein Unternehmen, sonst eine Privatperson"),
    ),
    Column("street", gettext_lazy("Strasse"), True),
    Column("house_number", gettext_lazy("Hausnummer"), False, ("hausnr", "nr")),
    Column("postcode", gettext_lazy("PLZ"), True, ("postleitzahl",), gettext_lazy("vier Ziffern")),
    Column("town", gettext_lazy("Ort"), True, ("wohnort",)),
    Column("email", gettext_lazy("E-Mail"), False, ("emailadresse", "mail")),
    Column("phone", gettext_lazy("Telefon"), False, ("tel", "telefonnummer")),
    Column("role", gettext_lazy("Rolle"), True, (), gettext_lazy("Verbraucher, Produzent, Prosumer oder Speicher")),
    Column(
        "iban", gettext_lazy("IBAN"), False, ("ibanfürauszahlungen",), gettext_lazy("für Auszahlungen; keine QR-IBAN")
    ),
    Column(
        "member_from",
        gettext_lazy("Mitglied ab"),
        True,
        ("eintritt", "eintrittsdatum"),
        gettext_lazy("TT.MM.JJJJ, z. B. 01.04.2027; auch der Beginn der Zuordnung des Messpunkts"),
    ),
    Column(
        "mp_id",
        gettext_lazy("Messpunkt"),
        True,
        ("messpunktid", "messpunktbezeichnung"),
        gettext_lazy("die 33-stellige ID, z. B. CH1009991234500000000000000000001"),
    ),
    Column("connection_capacity_kw", gettext_lazy("Anschlussleistung kW"), True, ("anschlussleistung",), _NUMBER),
    Column(
        "installed_capacity_kwp",
        gettext_lazy("installierte Leistung kWp"),
        False,
        ("installierteleistung", "kwp"),
        gettext_lazy("erneuerbare Produktion; leer: 0"),
    ),
    Column("transformer_circuit", gettext_lazy("Trafokreis"), False),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
PARTICIPANT_KEYS = (
    "customer_number",
    "last_name",
    "first_name",
    "company_name",
    "street",
    "house_number",
    "postcode",
    "town",
    "email",
    "phone",
    "role",
    "iban",
    "member_from",
)
POINT_KEYS = ("mp_id", "connection_capacity_kw", "installed_capacity_kwp", "transformer_circuit")
DECIMAL_KEYS = ("connection_capacity_kw", "installed_capacity_kwp")


def header_key(text: str) -> str:
    """A header as compared: case, spaces, hyphens, brackets and "ß" do not matter ("E-Mail" == "e mail")."""
    return re.sub(r"[\W_]+", "", str(text).casefold().replace("ß", "ss"))


KEY_BY_HEADER = {
    spelling: column.key
    for column in COLUMNS
    for spelling in (header_key(str(column.header)), *(header_key(alias) for alias in column.aliases))
}


def column_header(key: str) -> str:
    return str(COLUMN_BY_KEY[key].header)
