"""The participant list template to download: the German columns of ``participant_lists`` and one example row."""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from communities.models import Community, ParticipantRole
from communities.participant_list_columns import COLUMNS
from openleg.spreadsheets import DAY, TEXT, Table, table, to_csv, to_xlsx

_EXAMPLE = {
    "customer_number": "10001",
    "last_name": "Muster",
    "first_name": "Anna",
    "company_name": "",
    "street": "Dorfstrasse",
    "house_number": "3",
    "postcode": "5000",
    "town": "Musterwil",
    "email": "anna.muster@example.ch",
    "phone": "+41 62 000 00 00",
    "role": ParticipantRole.PROSUMER.label,
    "iban": "CH93 0076 2011 6238 5295 7",
    "mp_id": "CH1009991234500000000000000000001",
    "connection_capacity_kw": Decimal("25"),
    "installed_capacity_kwp": Decimal("9.6"),
    "transformer_circuit": "TS-1",
}


def template_table(community: Community) -> Table:
    """Numbers and the date as a person types them into the sheet: text, so that "9.6" stays as written."""
    example = {**_EXAMPLE, "member_from": community.start_date or date(2027, 1, 1)}
    kinds = {column.key: DAY if column.key == "member_from" else TEXT for column in COLUMNS}
    columns = [(str(column.header), kinds[column.key]) for column in COLUMNS]
    return table(_("Teilnehmende"), columns, [tuple(example[column.key] for column in COLUMNS)])


def template_xlsx(community: Community) -> bytes:
    return to_xlsx([template_table(community)])


def template_csv(community: Community) -> bytes:
    return to_csv(template_table(community))


def template_file_name(community: Community, extension: str) -> str:
    return f"teilnehmerliste-{community.slug or community.pk}.{extension}"
