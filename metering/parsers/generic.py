"""Any other delimited export: ``sniff`` proposes a mapping from the file, ``parse`` applies a confirmed one.

The proposal is a guess from the first rows (delimiter, header row after preamble rows, timestamp columns,
value columns by their German/English/French names, kWh or kW, start or end labels, metering point); the
user confirms or corrects it once per utility, and it is saved with ``GenericMapping.to_dict()``.
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import pairwise

from metering.parsers.base import METERING_POINT_ID, Issues, ParsedFile
from metering.parsers.mapping import GenericMapping
from metering.parsers.table import DELIMITERS, decode, first_lines, split_row
from metering.parsers.table_reader import unit_of
from metering.parsers.tabular import parse_with_mapping
from metering.parsers.timestamps import (
    DATE,
    DATETIME,
    TIME,
    TimestampError,
    parse_date,
    parse_datetime,
    parse_time,
)

__all__ = ["GenericMapping", "parse", "sniff"]

FORMAT = "generic"
SAMPLE_LINES = 300
SAMPLE_CHARS = 256 * 1024
NUMBER = re.compile(r"\s*-?\d+(?:[.,]\d+)?\s*")
DECIMAL_COMMA = re.compile(r"\s*-?\d+,\d+\s*")
PRODUCTION_WORDS = (
    "einspeis",
    "rücklief",
    "ruecklief",
    "rückspeis",
    "rueckspeis",
    "produktion",
    "production",
    "erzeugung",
    "export",
    "injection",
    "feed",
)
CONSUMPTION_WORDS = ("bezug", "verbrauch", "consumption", "import", "consommation", "soutirage", "load")
TARIFF = re.compile(r"\b(ht|nt)\b")
START_WORDS = re.compile(r"\b(beginn|begin|start|von|from|ab)\b")
END_WORDS = re.compile(r"\b(ende|end|bis|to)\b")
UNIT_WORDS = ("einheit", "unit", "unité")
QUALITY_WORDS = ("güte", "guete", "qualit", "quality", "status")
METERING_POINT_WORDS = ("messpunkt", "zählpunkt", "zaehlpunkt", "metering point", "meteringpoint", "point de mesure")
MEASURED_MARKS = ("W", "V", "VALID", "GEMESSEN", "MEASURED")


def parse(data: bytes, *, mapping: GenericMapping | None = None, **_: object) -> ParsedFile:
    if mapping is not None:
        return parse_with_mapping(data, mapping, format=FORMAT)
    proposed = sniff(data)
    parsed = parse_with_mapping(data, proposed, format=FORMAT)
    issues = Issues()
    issues.warning(
        "unconfirmed_mapping",
        "file",
        "The columns were guessed from the file; confirm the mapping before relying on the values.",
        mapping=str(proposed.to_dict()),
    )
    return ParsedFile(parsed.format, parsed.series, parsed.problems, parsed.warnings + issues.warnings, parsed.meta)


@dataclass(frozen=True)
class _Column:
    name: str
    cells: list[str]
    kind: str  # "metering_point", "datetime", "date", "time", "number", "text", "empty"

    @property
    def lowered(self) -> str:
        return self.name.lower()


def sniff(data: bytes) -> GenericMapping:
    """A proposed mapping; fields it cannot tell stay empty and parsing with it reports what is missing."""
    decoded = decode(data)
    if decoded is None:
        return GenericMapping()
    lines = first_lines(_sample(decoded.text), SAMPLE_LINES)
    delimiter, header_row = _delimiter_and_header(lines)
    if header_row >= len(lines):
        return GenericMapping(delimiter=delimiter)
    header = split_row(lines[header_row], delimiter)
    rows = [
        row
        for row in (split_row(line, delimiter) for line in lines[header_row + 1 :] if line.strip())
        if len(row) == len(header)
    ]
    columns = [_Column(name, cells := [row[i] for row in rows], _kind(cells)) for i, name in enumerate(header)]
    preamble = [split_row(line, delimiter) for line in lines[:header_row]]
    wide = sum(1 for name in header if TIME.fullmatch(name)) >= 24
    base = GenericMapping(delimiter=delimiter, header_row=header_row, **_metering_point(columns, preamble, wide))
    if wide:
        return _wide(base, columns)
    return _long(base, columns, preamble)


def _sample(text: str) -> str:
    """The whole lines within the first SAMPLE_CHARS (at least the first line): each sampled cell costs some
    microseconds, and a broken file of 100,000 columns must not take minutes."""
    if len(text) <= SAMPLE_CHARS:
        return text
    cut = max(text.rfind("\n", 0, SAMPLE_CHARS), text.rfind("\r", 0, SAMPLE_CHARS))
    if cut > 0:
        return text[:cut]
    return text[: min((end for end in (text.find("\n"), text.find("\r")) if end >= 0), default=len(text))]


def _delimiter_and_header(lines: list[str]) -> tuple[str, int]:
    first = 0
    hint = re.fullmatch(r"sep=(.)", lines[0].strip()) if lines else None  # Excel's delimiter hint
    if hint:
        # Only a delimiter a mapping may hold (GenericMapping.from_dict); "sep=€" is then just a preamble row.
        candidates, first = ((hint[1],) if hint[1] in DELIMITERS else DELIMITERS), 1
    else:
        candidates = DELIMITERS
    best: tuple[int, str, int] = (-1, ";", 0)
    for delimiter in candidates:
        widths = [len(split_row(line, delimiter)) if line.strip() else 0 for line in lines]
        data_widths = Counter(width for width in widths[len(widths) // 2 :] if width > 1)
        if not data_widths:
            continue
        width, score = data_widths.most_common(1)[0]
        if score > best[0]:
            best = (score, delimiter, width)
    score, delimiter, width = best
    if score < 0:
        return candidates[0], first
    rows = [index for index in range(first, len(lines)) if len(split_row(lines[index], delimiter)) == width]
    for index, following in pairwise(rows):
        if not _looks_like_data(split_row(lines[index], delimiter)) and _looks_like_data(
            split_row(lines[following], delimiter)
        ):
            return delimiter, index
    return delimiter, rows[0] if rows else first


def _looks_like_data(row: list[str]) -> bool:
    return any(DATETIME.fullmatch(cell) or DATE.fullmatch(cell) or NUMBER.fullmatch(cell) for cell in row)


def _kind(cells: list[str]) -> str:
    values = [cell for cell in cells if cell]
    if not values:
        return "empty"
    if all(METERING_POINT_ID.fullmatch(value) for value in values):
        return "metering_point"
    for kind, parser in (("datetime", parse_datetime), ("date", parse_date), ("time", parse_time)):
        if _share(values, parser) >= 0.9:
            return kind
    if sum(1 for value in values if NUMBER.fullmatch(value)) >= 0.9 * len(values):
        return "number"
    return "text"


def _share(values: list[str], parser: Callable[[str], object]) -> float:
    return sum(1 for value in values if _parses(parser, value)) / len(values)


def _parses(parser: Callable[[str], object], text: str) -> bool:
    try:
        parser(text)
    except TimestampError:
        return False
    return True


def _metering_point(columns: list[_Column], preamble: list[list[str]], wide: bool) -> dict[str, str]:
    """The column (or the row above the header) of metering point ids; failing that, a column named so or, in a
    wide table, one that tells apart rows of the same day: its values are then reported as bad ids, once."""
    for column in columns:
        if column.kind == "metering_point":
            return {"metering_point_column": column.name}
    for row in preamble:
        if len(row) > 1 and METERING_POINT_ID.fullmatch(row[1]):
            return {"metering_point_label": row[0]}
    for column in columns:
        if column.kind in ("text", "number") and any(word in column.lowered for word in METERING_POINT_WORDS):
            return {"metering_point_column": column.name}
    if wide:
        found = _series_column(columns)
        if found is not None:
            return {"metering_point_column": found}
    return {}


def _series_column(columns: list[_Column]) -> str | None:
    """In a wide table, the first text (or whole number) column beside the date and the quarter-hours whose values
    differ between rows of the same day and direction: it tells the series apart."""
    dates = next((column for column in columns if column.kind == "date"), None)
    if dates is None:
        return None
    marks = [column for column in columns if column.kind == "text" and _all_marks(column)]
    rows = list(zip(dates.cells, *(column.cells for column in marks), strict=True))
    for column in columns:
        if column is dates or column in marks or TIME.fullmatch(column.name):
            continue
        if column.kind != "text" and not (column.kind == "number" and all(cell.isdigit() for cell in column.cells)):
            continue
        seen: dict[tuple[str, ...], str] = {}
        if any(seen.setdefault(row, cell) != cell for row, cell in zip(rows, column.cells, strict=True)):
            return column.name
    return None


def _all_marks(column: _Column) -> bool:
    """A column of direction or unit marks only."""
    return all(unit_of(cell) or _direction_of(cell) for cell in column.cells if cell)


def _direction_of(name: str) -> str | None:
    lowered = name.lower()
    if any(word in lowered for word in PRODUCTION_WORDS):
        return "production"
    if any(word in lowered for word in CONSUMPTION_WORDS) or TARIFF.search(lowered):
        return "consumption"
    return None


def _long(base: GenericMapping, columns: list[_Column], preamble: list[list[str]]) -> GenericMapping:
    fields = _timestamp_fields(columns)
    values = {"consumption": [], "production": []}  # type: dict[str, list[_Column]]
    unnamed = []
    for column in columns:
        if column.kind != "number":
            continue
        direction = _direction_of(column.name)
        (values[direction] if direction else unnamed).append(column)
    if not values["consumption"] and not values["production"] and len(unnamed) == 1:
        values["consumption"] = unnamed
    fields["consumption_columns"] = tuple(column.name for column in values["consumption"])
    fields["production_columns"] = tuple(column.name for column in values["production"])
    used = values["consumption"] + values["production"]
    fields["decimal_comma"] = base.delimiter != "," and any(
        DECIMAL_COMMA.fullmatch(cell) for column in used for cell in column.cells
    )
    fields.update(_unit(used, preamble))
    fields.update(_quality(columns))
    return replace(base, **fields)


def _timestamp_fields(columns: list[_Column]) -> dict[str, object]:
    """One date-and-time column (the start one when there are two), or a date and a time column."""
    datetimes = [column for column in columns if column.kind == "datetime"]
    if datetimes:
        chosen = next((c for c in datetimes if START_WORDS.search(c.lowered)), None) or next(
            (c for c in datetimes if not END_WORDS.search(c.lowered)), datetimes[0]
        )
        if START_WORDS.search(chosen.lowered) or END_WORDS.search(chosen.lowered):
            labels = "start" if START_WORDS.search(chosen.lowered) else "end"
        else:
            labels = _labels_from([_day_and_minute(cell) for cell in chosen.cells if _parses(parse_datetime, cell)])
        return {"timestamp_column": chosen.name, "labels": labels}
    dates = [column for column in columns if column.kind == "date"]
    times = [column for column in columns if column.kind == "time"]
    if not dates or not times:
        return {}
    pairs = [
        (parse_date(day), parse_time(time))
        for day, time in zip(dates[0].cells, times[0].cells, strict=True)
        if _parses(parse_date, day) and _parses(parse_time, time)
    ]
    return {"date_column": dates[0].name, "time_column": times[0].name, "labels": _labels_from(pairs)}


def _day_and_minute(text: str) -> tuple[int, int]:
    match = DATETIME.fullmatch(text)
    assert match is not None  # callers pass matching texts only
    minute = int(match["hour"]) * 60 + int(match["minute"])
    return (parse_datetime(text).minutes - minute) // 1440, minute


def _labels_from(days_and_minutes: list[tuple[int, int]]) -> str:
    """Start labels open a day at 00:00; end labels open it at 00:15 and close it with 24:00."""
    if not days_and_minutes:
        return "start"
    if any(minute == 1440 for _, minute in days_and_minutes):
        return "end"
    first_day = days_and_minutes[0][0]
    first_day_minutes = [minute for day, minute in days_and_minutes if day == first_day]
    return "end" if min(first_day_minutes) == 15 else "start"


def _unit(values: list[_Column], preamble: list[list[str]]) -> dict[str, str]:
    for row in preamble:
        if len(row) > 1 and any(word in row[0].lower() for word in UNIT_WORDS) and unit_of(row[1]):
            return {"unit": unit_of(row[1]) or "kWh", "unit_label": row[0]}
    names = [column.lowered for column in values]
    if (
        names
        and not any("kwh" in name for name in names)
        and any(re.search(r"\bkw\b", name) or "leistung" in name or "power" in name for name in names)
    ):
        return {"unit": "kW"}
    return {"unit": "kWh"}


def _quality(columns: list[_Column]) -> dict[str, object]:
    for column in columns:
        if column.kind == "text" and any(word in column.lowered for word in QUALITY_WORDS):
            measured = tuple(sorted({cell for cell in column.cells if cell.upper() in MEASURED_MARKS}))
            if measured:
                return {"quality_column": column.name, "measured_values": measured}
    return {}


def _wide(base: GenericMapping, columns: list[_Column]) -> GenericMapping:
    fields: dict[str, object] = {"layout": "wide"}
    dates = [column for column in columns if column.kind == "date"]
    if dates:
        fields["date_column"] = dates[0].name
    slot_labels = [parse_time(column.name) for column in columns if _parses(parse_time, column.name)]
    fields["labels"] = "start" if slot_labels and min(slot_labels) == 0 else "end"
    for column in columns:
        if column.kind != "text":
            continue
        distinct = list(dict.fromkeys(cell for cell in column.cells if cell))
        if distinct and all(unit_of(cell) for cell in distinct):
            fields["unit_column"] = column.name
        elif distinct and all(_direction_of(cell) for cell in distinct) and "direction_column" not in fields:
            fields["direction_column"] = column.name
            fields["consumption_values"] = tuple(cell for cell in distinct if _direction_of(cell) == "consumption")
            fields["production_values"] = tuple(cell for cell in distinct if _direction_of(cell) == "production")
    slot_cells = [cell for column in columns if TIME.fullmatch(column.name) for cell in column.cells]
    fields["decimal_comma"] = base.delimiter != "," and any(DECIMAL_COMMA.fullmatch(cell) for cell in slot_cells)
    return replace(base, **fields)
