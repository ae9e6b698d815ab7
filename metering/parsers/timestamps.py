"""Date and time texts of CSV exports to wall-clock minutes (see localtime), parsed once per distinct text.

Accepted: day-first dates ``15.06.2026`` / ``15.6.2026`` / ``15/06/2026`` and ISO dates ``2026-06-15``;
times ``HH:MM`` or ``HH:MM:SS`` (``24:00`` = end of the day); an optional UTC offset (``Z``, ``+02:00``)
after the time, which then decides the instant instead of the Europe/Zurich rules.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from metering.parsers.cells import Cells
from metering.parsers.localtime import FIRST_YEAR, LAST_YEAR, MINUTES_PER_DAY, day_number

_DAY_FIRST = r"(?P<day>\d{1,2})[./](?P<month>\d{1,2})[./](?P<year>\d{4})"
_ISO_DATE = r"(?P<iso_year>\d{4})-(?P<iso_month>\d{1,2})-(?P<iso_day>\d{1,2})"
_DATE = rf"(?:{_DAY_FIRST}|{_ISO_DATE})"
_TIME = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?"
_OFFSET = r"(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)"
# The blanks before an offset sit inside its optional group: "\s*(?:offset)?\s*" backtracks quadratically over a
# long run of blanks that is followed by anything but an offset.
DATETIME = re.compile(rf"\s*{_DATE}[T ]\s*{_TIME}(?:\s*{_OFFSET})?\s*")
DATE = re.compile(rf"\s*{_DATE}\s*")
TIME = re.compile(rf"\s*{_TIME}\s*")


class TimestampError(ValueError):
    """The text is no usable timestamp; the message says why."""


@dataclass(frozen=True)
class WallTime:
    minutes: int  # wall-clock minutes since 1970-01-01 00:00
    offset: int | None  # minutes east of UTC when the text states it


def parse_datetime(text: str) -> WallTime:
    match = DATETIME.fullmatch(text)
    if match is None:
        raise TimestampError("expected a date and time such as 15.06.2026 08:15")
    offset = _offset_minutes(match["offset"]) if match["offset"] else None
    return WallTime(_day(match) * MINUTES_PER_DAY + _minute_of_day(match), offset)


def parse_date(text: str) -> int:
    """Days since 1970-01-01."""
    match = DATE.fullmatch(text)
    if match is None:
        raise TimestampError("expected a date such as 15.06.2026")
    return _day(match)


def parse_time(text: str) -> int:
    """Minute of the day, 0 to 1440 (24:00)."""
    match = TIME.fullmatch(text)
    if match is None:
        raise TimestampError("expected a time such as 08:15")
    return _minute_of_day(match)


@dataclass(frozen=True, eq=False)
class ParsedColumn:
    wall: np.ndarray  # int64 wall minutes (or days / minutes of day, depending on the parser)
    offset: np.ndarray  # int64 minutes east of UTC where stated
    has_offset: np.ndarray  # bool
    error: np.ndarray  # int64: index into ``reasons`` + 1, 0 where the cell parsed
    reasons: list[str]


def parse_column(cells: Cells, parser: Callable[[str], WallTime | int]) -> ParsedColumn:
    """Parse each distinct text once; files repeat dates and times across rows and metering points."""
    codes, texts = cells.factorize()
    wall = np.zeros(len(texts), np.int64)
    offset = np.zeros(len(texts), np.int64)
    has_offset = np.zeros(len(texts), bool)
    error = np.zeros(len(texts), np.int64)
    reasons: list[str] = []
    for index, text in enumerate(texts):
        try:
            parsed = parser(text)
        except TimestampError as exc:
            reasons.append(str(exc))
            error[index] = len(reasons)
            continue
        if isinstance(parsed, WallTime):
            wall[index] = parsed.minutes
            if parsed.offset is not None:
                offset[index], has_offset[index] = parsed.offset, True
        else:
            wall[index] = parsed
    return ParsedColumn(wall[codes], offset[codes], has_offset[codes], error[codes], reasons)


def _day(match: re.Match[str]) -> int:
    parts = ("year", "month", "day") if match["year"] else ("iso_year", "iso_month", "iso_day")
    year, month, day = (int(match[part]) for part in parts)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise TimestampError(f"the year {year} is out of range")
    try:
        return day_number(date(year, month, day))
    except ValueError:
        raise TimestampError("no such calendar day") from None


def _minute_of_day(match: re.Match[str]) -> int:
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    fraction = int(match["fraction"] or 0)
    if minute > 59 or second > 59 or hour > 24 or (hour == 24 and (minute or second or fraction)):
        raise TimestampError("no such time of day")
    if minute % 15 or second or fraction:
        raise TimestampError("not on a quarter-hour")
    return hour * 60 + minute


def _offset_minutes(text: str) -> int:
    if text == "Z":
        return 0
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
    return minutes if text[0] == "+" else -minutes
