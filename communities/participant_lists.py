"""Reading a participant list (CSV or Excel) into checked rows: one row is a participant with one metering point.

Pure: no database, no request. The file is read with pandas as text (every cell a string), the headers are
matched case- and space-insensitively to the German columns of the template, and every row is checked by the
models' own validation (``full_clean`` without the database parts) after the list's spellings are taken apart:
Swiss decimals ("12.5", "12,5", "1'250"), dates (31.03.2027, 2027-03-31, Excel's own date cells) and role labels.

Every problem names its place as a person finds it in a spreadsheet: the row number counts the header as row 1,
so the first participant is in row 2 ("Zeile 2, Spalte «Messpunkt»: …").
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zipfile import BadZipFile

import pandas as pd
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from communities.models import MeteringPoint, Participant, ParticipantKind, ParticipantRole
from communities.participant_list_columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    DECIMAL_KEYS,
    KEY_BY_HEADER,
    PARTICIPANT_KEYS,
    POINT_KEYS,
    column_header,
    header_key,
)
from openleg.iban import compact_iban

MAX_ROWS = 2000  # a community of a few hundred members fits many times; beyond, a file is a mistake
MAX_FILE_BYTES = 2 * 1024 * 1024
HEADER_ROW = 1


@dataclass(frozen=True)
class ListError:
    """A problem with the file (``line`` None) or with one cell (``line`` and ``column``, the header)."""

    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        if self.column is None:
            return _("Zeile %(line)s: %(message)s") % {"line": self.line, "message": self.message}
        return _("Zeile %(line)s, Spalte «%(column)s»: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ListRow:
    """One row as read (``cells``, for showing it) and, when it has no errors, its typed values per model."""

    line: int
    cells: dict[str, str]
    participant: dict[str, Any] = field(default_factory=dict)
    point: dict[str, Any] = field(default_factory=dict)
    errors: list[ListError] = field(default_factory=list)

    @property
    def customer_number(self) -> str:
        return self.cells.get("customer_number", "")

    @property
    def mp_id(self) -> str:
        return self.point.get("mp_id") or self.cells.get("mp_id", "")

    @property
    def name(self) -> str:
        cells = self.cells
        return cells.get("company_name") or f"{cells.get('first_name', '')} {cells.get('last_name', '')}".strip()


@dataclass
class ParticipantList:
    """The rows of a file and every problem found, the file's own problems first."""

    rows: list[ListRow]
    file_errors: list[ListError]
    keys: frozenset[str]  # the columns the file has

    @property
    def errors(self) -> list[ListError]:
        return [*self.file_errors, *(error for row in self.rows for error in row.errors)]


def read_participant_list(content: bytes) -> ParticipantList:
    """The checked rows of a CSV or XLSX file's bytes; never raises for what is in the file."""
    frame, problem = _frame(content)
    if problem:
        return ParticipantList([], [ListError(problem)], frozenset())
    keys, header_errors = _columns(frame)
    if header_errors:
        return ParticipantList([], header_errors, frozenset())
    frame = frame.rename(columns=keys)[list(keys.values())]
    rows = []
    for index, values in enumerate(frame.itertuples(index=False)):
        cells = {key: _text(value) for key, value in zip(frame.columns, values, strict=True)}
        if any(cells.values()):
            rows.append(_checked_row(HEADER_ROW + 1 + index, cells))
    if not rows:
        return ParticipantList([], [ListError(_("Die Datei enthält keine Zeilen mit Teilnehmenden."))], frozenset())
    if len(rows) > MAX_ROWS:
        message = _("Die Datei hat %(count)s Zeilen; eine Liste darf höchstens %(max)s Zeilen haben.")
        return ParticipantList([], [ListError(message % {"count": len(rows), "max": MAX_ROWS})], frozenset())
    _check_repeats(rows)
    return ParticipantList(rows, [], frozenset(keys.values()))


def _frame(content: bytes) -> tuple[pd.DataFrame | None, str | None]:
    if not content.strip():
        return None, _("Die Datei ist leer.")
    if len(content) > MAX_FILE_BYTES:
        return None, _("Die Datei ist grösser als %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
    not_a_table = _("Die Datei ist keine Tabelle: bitte eine CSV-Datei oder eine Excel-Datei (.xlsx) hochladen.")
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        return None, _("Excel-Dateien im alten Format (.xls) bitte als .xlsx oder CSV speichern und erneut hochladen.")
    try:
        if content.startswith(b"PK\x03\x04"):  # a zip archive: the XLSX format
            frame = pd.read_excel(io.BytesIO(content), dtype=str, engine="openpyxl")
        else:
            if b"\x00" in content:
                return None, not_a_table
            text = _decoded(content)
            if not text.strip():
                return None, _("Die Datei ist leer.")
            frame = pd.read_csv(
                io.StringIO(text), sep=_separator(text), dtype=str, keep_default_na=False, skip_blank_lines=False
            )
    # A broken workbook fails in the zip, in its XML (a SyntaxError) or in a missing part: each is 'not a table'.
    except (ValueError, KeyError, TypeError, OSError, SyntaxError, csv.Error, BadZipFile, InvalidFileException):
        return None, not_a_table
    if frame.empty and not len(frame.columns):
        return None, _("Die Datei ist leer.")
    return frame, None


def _decoded(content: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes) or, failing that, Windows-1252 as older Excel saves CSV."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _separator(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") >= header.count(",") else ","


def _columns(frame: pd.DataFrame) -> tuple[dict[str, str], list[ListError]]:
    """The file's headers mapped to column keys (unknown columns are left out), or what is wrong with them."""
    keys, seen = {}, {}
    errors = []
    for header in frame.columns:
        key = KEY_BY_HEADER.get(header_key(header))
        if key is None:
            continue
        if key in seen:
            message = _("Die Spalte «%(column)s» kommt zweimal vor («%(first)s» und «%(second)s»).")
            values = {"column": COLUMN_BY_KEY[key].header, "first": seen[key], "second": header}
            errors.append(ListError(message % values))
            continue
        seen[key] = header
        keys[header] = key
    missing = [str(column.header) for column in COLUMNS if column.required and column.key not in seen]
    if missing:
        names = ", ".join(f"«{name}»" for name in missing)
        message = _("Es fehlen Spalten: %(names)s. Die Vorlage zeigt alle Spalten.") % {"names": names}
        errors.insert(0, ListError(message))
    return keys, errors


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _checked_row(line: int, cells: dict[str, str]) -> ListRow:
    row = ListRow(line, cells)
    typed: dict[str, Any] = {}
    for key, text in cells.items():
        try:
            typed[key] = _typed(key, text)
        except ValidationError as error:
            row.errors += [ListError(message, line, str(COLUMN_BY_KEY[key].header)) for message in error.messages]
    if row.errors:
        return row
    participant = {key: typed[key] for key in PARTICIPANT_KEYS if key in typed}
    participant["kind"] = ParticipantKind.COMPANY if participant.get("company_name") else ParticipantKind.PERSON
    point = {key: typed[key] for key in POINT_KEYS if key in typed}
    if point.get("installed_capacity_kwp") is None and "installed_capacity_kwp" in point:
        point["installed_capacity_kwp"] = Decimal(0)
    row.errors += _model_errors(Participant(**participant), line, exclude=["community"])
    row.errors += _model_errors(MeteringPoint(**point), line, exclude=["utility", "municipality"])
    if not row.errors:
        row.participant, row.point = participant, point
    return row


def _typed(key: str, text: str):
    if key == "role":
        return _role(text)
    if key == "member_from":
        return _day(text)
    if key in DECIMAL_KEYS:
        return _decimal(text, required=COLUMN_BY_KEY[key].required)
    if key == "mp_id":
        return text.replace(" ", "").upper()
    if key == "iban":
        return compact_iban(text)
    return text


def _role(text: str) -> str:
    labels = {str(label).casefold(): value for value, label in ParticipantRole.choices}
    labels.update({value: value for value in ParticipantRole.values})
    role = labels.get(text.casefold())
    if role is None:
        allowed = ", ".join(str(label) for label in ParticipantRole.labels)
        if not text:
            raise ValidationError(_("Bitte eine Rolle angeben: %(allowed)s.") % {"allowed": allowed})
        message = _("«%(text)s» ist keine Rolle; möglich sind %(allowed)s.")
        raise ValidationError(message % {"text": text, "allowed": allowed})
    return role


_DAY_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S")  # the last: an Excel date cell read as text


def _day(text: str) -> date:
    if not text:
        raise ValidationError(_("Bitte das Eintrittsdatum angeben (TT.MM.JJJJ)."))
    for pattern in _DAY_FORMATS:
        try:
            moment = datetime.strptime(text, pattern)  # noqa: DTZ007 (a calendar day, no time of day)
        except ValueError:
            continue
        if moment.time() == datetime.min.time():
            return moment.date()
    message = _("«%(text)s» ist kein Datum; bitte TT.MM.JJJJ schreiben, z. B. 01.04.2027.")
    raise ValidationError(message % {"text": text})


def _decimal(text: str, *, required: bool) -> Decimal | None:
    if not text:
        if required:
            raise ValidationError(_("Bitte einen Wert angeben."))
        return None
    compact = re.sub(r"[\s'’]", "", text)
    if "," in compact and "." not in compact:
        compact = compact.replace(",", ".")
    try:
        value = Decimal(compact)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValidationError(_("«%(text)s» ist keine Zahl; bitte z. B. 12.5 oder 12,5 schreiben.") % {"text": text})
    return value


def _model_errors(instance, line: int, *, exclude: list[str]) -> list[ListError]:
    """The model's own checks, without those that need the database (uniqueness, the community's grid)."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return [
            ListError(message, line, _column_of(name))
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return []


def _column_of(field_name: str) -> str | None:
    if field_name == NON_FIELD_ERRORS or field_name not in COLUMN_BY_KEY:
        return None
    return str(COLUMN_BY_KEY[field_name].header)


def _check_repeats(rows: list[ListRow]) -> None:
    """A metering point appears once; a customer number again only with the same participant data."""
    first_point: dict[str, ListRow] = {}
    first_participant: dict[str, ListRow] = {}
    for row in rows:
        if row.errors:
            continue
        earlier = first_point.setdefault(row.mp_id, row)
        if earlier is not row:
            message = _(
                "Der Messpunkt %(mp)s steht schon in Zeile %(first)s; jeder Messpunkt darf nur einmal vorkommen."
            )
            values = {"mp": row.mp_id, "first": earlier.line}
            row.errors.append(ListError(message % values, row.line, column_header("mp_id")))
        earlier = first_participant.setdefault(row.customer_number, row)
        if earlier is row:
            continue
        for key in PARTICIPANT_KEYS:
            if earlier.participant.get(key) != row.participant.get(key):
                message = _("Kundennummer %(number)s steht schon in Zeile %(first)s, dort mit «%(value)s».")
                shown = earlier.cells.get(key, "")
                row.errors.append(
                    ListError(
                        message % {"number": row.customer_number, "first": earlier.line, "value": shown},
                        row.line,
                        column_header(key),
                    )
                )
