from datetime import date

import numpy as np
import pytest
from hypothesis import given

from metering.parsers.localtime import (
    day_number,
    is_local_midnight,
    local_day_bounds,
    local_text,
    quarter_hours_in_local_day,
    to_utc,
    utc_iso,
)
from tests.metering.parsers.builders import days_with_and_without_clock_changes


def wall(day: date, *times: str) -> np.ndarray:
    return np.array([day_number(day) * 1440 + int(t[:2]) * 60 + int(t[3:]) for t in times], np.int64)


def resolve(day: date, *times: str, end: bool = False) -> tuple[list[str], list[bool]]:
    walls = wall(day, *times)
    utc, missing = to_utc(walls, np.zeros(len(walls), np.int64), interval_end=end)
    return [utc_iso(u) for u in utc], missing.tolist()


@pytest.mark.parametrize(
    "day, slots",
    [
        (date(2026, 3, 29), 92),
        (date(2026, 6, 15), 96),
        (date(2026, 10, 25), 100),
        (date(2027, 3, 28), 92),
        (date(2025, 10, 26), 100),
    ],
)
def test_local_days_have_92_96_or_100_quarter_hours(day, slots):
    assert quarter_hours_in_local_day(day) == slots


def test_local_day_bounds_are_local_midnights_in_utc():
    assert [utc_iso(m) for m in local_day_bounds(date(2026, 6, 15))] == [
        "2026-06-14T22:00:00Z",
        "2026-06-15T22:00:00Z",
    ]
    assert [utc_iso(m) for m in local_day_bounds(date(2026, 10, 25))] == [
        "2026-10-24T22:00:00Z",
        "2026-10-25T23:00:00Z",
    ]


def test_the_repeated_autumn_hour_is_summer_time_first_then_winter_time():
    utc, missing = resolve(date(2026, 10, 25), "01:45", "02:00", "02:45", "02:00", "02:45", "03:00")
    assert utc == [
        "2026-10-24T23:45:00Z",
        "2026-10-25T00:00:00Z",
        "2026-10-25T00:45:00Z",
        "2026-10-25T01:00:00Z",
        "2026-10-25T01:45:00Z",
        "2026-10-25T02:00:00Z",
    ]
    assert missing == [False] * 6


def test_the_order_counts_per_group_not_per_file():
    walls = wall(date(2026, 10, 25), "02:00", "02:00", "02:00", "02:00")
    utc, _ = to_utc(walls, np.array([0, 1, 0, 1]), interval_end=False)
    assert [utc_iso(u) for u in utc] == [
        "2026-10-25T00:00:00Z",
        "2026-10-25T00:00:00Z",
        "2026-10-25T01:00:00Z",
        "2026-10-25T01:00:00Z",
    ]


def test_the_skipped_spring_hour_does_not_exist():
    utc, missing = resolve(date(2026, 3, 29), "01:45", "02:00", "02:45", "03:00")
    assert missing == [False, True, True, False]
    assert (utc[0], utc[3]) == ("2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z")


def test_end_labels_become_interval_starts_around_both_changes():
    utc, missing = resolve(date(2026, 3, 29), "00:15", "02:00", "03:00", "03:15", end=True)
    assert utc[0] == "2026-03-28T23:00:00Z"
    assert (utc[1], utc[2]) == ("2026-03-29T00:45:00Z", "2026-03-29T00:45:00Z")  # both name 01:45–02:00 CET
    assert utc[3] == "2026-03-29T01:00:00Z"
    assert missing == [False] * 4
    assert resolve(date(2026, 3, 29), "02:30", end=True)[1] == [True]
    utc, _ = resolve(date(2026, 10, 25), "02:15", "03:00", "02:15", "03:00", end=True)
    assert utc == [
        "2026-10-25T00:00:00Z",
        "2026-10-25T00:45:00Z",
        "2026-10-25T01:00:00Z",
        "2026-10-25T01:45:00Z",
    ]


def test_24_00_ends_the_day():
    utc, _ = resolve(date(2026, 6, 15), "24:00", end=True)
    assert utc == ["2026-06-15T21:45:00Z"]


def test_local_helpers():
    start = local_day_bounds(date(2026, 6, 15))[0]
    assert is_local_midnight(start) and not is_local_midnight(start + 15)
    assert local_text(start + 15) == "15.06.2026 00:15"


@given(days_with_and_without_clock_changes)
def test_every_quarter_hour_of_a_local_day_maps_to_one_utc_slot(day):
    """A whole local day written in wall time, in order, always resolves to 92, 96 or 100 distinct slots."""
    start, end = local_day_bounds(day)
    expected = (end - start) // 15
    times = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 15, 30, 45)]
    if expected == 100:
        times = times[:12] + times[8:12] + times[12:]
    walls = wall(day, *times)
    utc, missing = to_utc(walls, np.zeros(len(walls), np.int64), interval_end=False)
    present = utc[~missing]
    assert len(present) == expected
    assert present.tolist() == list(range(start, end, 15))


@pytest.mark.parametrize("year", [1970, 1980, 1981, 1996, 2026, 2100, 2199])
def test_offset_changes_found_a_week_at_a_time_are_those_found_a_day_at_a_time(year):
    from datetime import UTC, datetime

    from metering.parsers.localtime import _changes_in_year, _offset_at, utc_minutes

    start, end = (utc_minutes(datetime(y, 1, 1, tzinfo=UTC)) for y in (year, year + 1))
    daily = [minute // 1440 for minute in range(start, end, 1440) if _offset_at(minute) != _offset_at(minute + 1440)]
    assert [minute // 1440 for minute, _ in _changes_in_year(year)] == daily
