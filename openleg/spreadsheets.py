"""Tables for people as files: one pandas DataFrame per table, written as XLSX or as CSV for a spreadsheet.

A table names the kind of each column (kWh, CHF, a day, a moment, text); the kind decides how a cell looks:
in XLSX numbers stay numbers (exact ``Decimal`` values) and dates stay dates, with a display format; in CSV
every figure is written in the Swiss rule of ``openleg.formats``, semicolon separated, UTF-8 with a BOM so that
Excel reads the umlauts.

XLSX number formats use Excel's thousands placeholder (``#,##0.000``): a spreadsheet set to de-CH shows
1'234.567 with it, at any size; a literal apostrophe (``#'##0``) would read 1234'567 above a million.
"""

import io
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from django.http import HttpResponse
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from openleg.formats import format_chf, format_day, format_kwh_value, format_moment
from openleg.periods import ZURICH, as_utc

KWH, CHF, DAY, MOMENT, TEXT = "kwh", "chf", "day", "moment", "text"

XLSX_FORMATS = {KWH: "#,##0.000", CHF: "#,##0.00", DAY: "DD.MM.YYYY", MOMENT: "DD.MM.YYYY HH:MM"}
# Text a spreadsheet would take for a formula (a participant named "=HYPERLINK(…)"): kept as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value) -> str:
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


CSV_FORMATS = {KWH: format_kwh_value, CHF: format_chf, DAY: format_day, MOMENT: format_moment, TEXT: _inert}
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def spreadsheet_response(content: bytes, filename: str):
    """A download of a workbook (``.xlsx``) or a CSV file under ``filename``, for the portal and the admin alike."""
    response = HttpResponse(content, content_type=XLSX_MEDIA_TYPE if filename.endswith(".xlsx") else CSV_MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
_WIDEST = 48


@dataclass(frozen=True)
class Table:
    """A titled DataFrame (the title names the XLSX sheet) and the kind of each of its columns by header."""

    title: str
    frame: pd.DataFrame
    kinds: dict[str, str]


def table(title: str, columns: list[tuple[str, str]], rows: list[tuple]) -> Table:
    """A table from (header, kind) pairs and rows of Python values (Decimal, date, aware datetime, str, None)."""
    headers = [header for header, _kind in columns]
    frame = pd.DataFrame(rows, columns=headers, dtype=object) if rows else pd.DataFrame(columns=headers, dtype=object)
    return Table(title, frame, dict(columns))


def to_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table: a bold header row that stays in view, formatted figures, columns as wide as they read."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for each in tables:
            _for_excel(each).to_excel(writer, sheet_name=each.title[:31], index=False)
            _style(writer.sheets[each.title[:31]], each)
    return buffer.getvalue()


def to_csv(each: Table) -> bytes:
    """The table for people: Swiss figures and dates, empty cells where a value is missing."""
    frame = each.frame.copy()
    for header, kind in each.kinds.items():
        show = CSV_FORMATS[kind]
        frame[header] = [("" if value is None or value is pd.NA else show(value)) for value in frame[header]]
    return frame.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8-sig")


def _for_excel(each: Table) -> pd.DataFrame:
    """Excel has no time zones: a moment is written as the local wall time it names (the table says which zone)."""
    frame = each.frame.copy()
    for header, kind in each.kinds.items():
        if kind == MOMENT:
            frame[header] = [_wall_time(value) for value in frame[header]]
    return frame


def _wall_time(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return as_utc(value).astimezone(ZURICH).replace(tzinfo=None)


def _style(sheet, each: Table) -> None:
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    for index, (header, kind) in enumerate(each.kinds.items(), start=1):
        sheet.cell(row=1, column=index).font = bold
        number_format = XLSX_FORMATS.get(kind)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if number_format:
                cell.number_format = number_format
            elif cell.data_type == "f":  # openpyxl reads text that starts with "=" as a formula
                cell.data_type = "s"
        sheet.column_dimensions[get_column_letter(index)].width = _width(header, kind, each.frame[header])


def _width(header: str, kind: str, values: pd.Series) -> float:
    """Characters the widest cell of the column needs as a person reads it (sampled: long sheets repeat)."""
    show = CSV_FORMATS[kind]
    sample = [value for value in values.iloc[:500] if value is not None]
    widest = max([len(header), *(len(show(value)) for value in sample)])
    return min(widest + 2, _WIDEST)
