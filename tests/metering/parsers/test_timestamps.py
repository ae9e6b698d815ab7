from datetime import date

import pytest

from metering.parsers.cells import Cells
from metering.parsers.localtime import day_number
from metering.parsers.timestamps import (
    TimestampError,
    WallTime,
    parse_column,
    parse_date,
    parse_datetime,
    parse_time,
)

JUNE_15 = day_number(date(2026, 6, 15)) * 1440


@pytest.mark.parametrize(
    "text, expected",
    [
        ("15.06.2026 08:15", WallTime(JUNE_15 + 495, None)),
        ("15.6.2026 08:15:00", WallTime(JUNE_15 + 495, None)),
        ("15/06/2026 08:15", WallTime(JUNE_15 + 495, None)),
        ("2026-06-15T08:15:00+02:00", WallTime(JUNE_15 + 495, 120)),
        ("2026-06-15 08:15:00Z", WallTime(JUNE_15 + 495, 0)),
        ("2026-06-15T08:15:00-0130", WallTime(JUNE_15 + 495, -90)),
        ("15.06.2026 24:00", WallTime(JUNE_15 + 1440, None)),
    ],
)
def test_datetimes(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("15.06.2026", "expected a date and time"),
        ("15.06.2026 08:10", "not on a quarter-hour"),
        ("15.06.2026 08:15:30", "not on a quarter-hour"),
        ("31.06.2026 08:15", "no such calendar day"),
        ("15.06.2026 25:00", "no such time of day"),
        ("15.06.2026 24:15", "no such time of day"),
        ("15.06.1899 08:15", "the year 1899 is out of range"),
        ("gestern", "expected a date and time"),
    ],
)
def test_bad_datetimes_say_why(text, reason):
    with pytest.raises(TimestampError, match=reason):
        parse_datetime(text)


def test_dates_and_times_alone():
    assert parse_date("15.06.2026") == day_number(date(2026, 6, 15))
    assert parse_date("2026-06-15") == day_number(date(2026, 6, 15))
    assert parse_time("00:15") == 15
    assert parse_time("24:00") == 1440
    with pytest.raises(TimestampError, match="expected a time"):
        parse_time("8 Uhr")


def test_parse_column_parses_each_distinct_text_once_and_keeps_reasons():
    parsed = parse_column(
        Cells.from_texts(["15.06.2026 00:00", "kaputt", "15.06.2026 00:00", "2026-06-15T00:15Z"]),
        parse_datetime,
    )
    assert parsed.wall.tolist() == [JUNE_15, 0, JUNE_15, JUNE_15 + 15]
    assert parsed.has_offset.tolist() == [False, False, False, True]
    assert parsed.error.tolist() == [0, 1, 0, 0]
    assert parsed.reasons == ["expected a date and time such as 15.06.2026 08:15"]
