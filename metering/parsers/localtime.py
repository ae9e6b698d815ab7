"""Europe/Zurich wall-clock times to UTC for whole columns, with the DST days done right.

Times are integer minutes: "wall" minutes count local clock readings from 1970-01-01 00:00 as if every day
had 24 hours; "UTC" minutes count real minutes since the epoch. A quarter-hour slot is UTC minutes // 15.
"""

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

ZURICH = ZoneInfo("Europe/Zurich")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
FIRST_YEAR, LAST_YEAR = 1970, 2199
MINUTES_PER_DAY = 1440


def utc_datetime(minutes: int) -> datetime:
    return EPOCH + timedelta(minutes=int(minutes))


def utc_minutes(moment: datetime) -> int:
    """Minutes since the epoch of an aware datetime (seconds are dropped; callers check alignment)."""
    return int((moment - EPOCH).total_seconds() // 60)


def utc_iso(minutes: int) -> str:
    return utc_datetime(minutes).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_datetime(minutes: int) -> datetime:
    return utc_datetime(minutes).astimezone(ZURICH)


def local_text(minutes: int) -> str:
    return local_datetime(minutes).strftime("%d.%m.%Y %H:%M")


def day_number(day: date) -> int:
    return day.toordinal() - EPOCH_ORDINAL


@lru_cache(maxsize=4096)  # every series of a file asks about the same few days
def local_day_bounds(day: date) -> tuple[int, int]:
    """UTC minutes of the local midnights that start and end a Europe/Zurich day."""
    start = datetime(day.year, day.month, day.day, tzinfo=ZURICH)
    following = day + timedelta(days=1)
    end = datetime(following.year, following.month, following.day, tzinfo=ZURICH)
    return utc_minutes(start), utc_minutes(end)


def quarter_hours_in_local_day(day: date) -> int:
    start, end = local_day_bounds(day)
    return (end - start) // 15


@lru_cache(maxsize=4096)
def is_local_midnight(minutes: int) -> bool:
    moment = local_datetime(minutes)
    return moment.hour == 0 and moment.minute == 0


def local_day_numbers(utc: np.ndarray) -> np.ndarray:
    """Europe/Zurich calendar day (days since 1970-01-01) of each UTC minute."""
    if not len(utc):
        return np.zeros(0, np.int64)
    first, last = (utc_datetime(int(m)).year for m in (utc.min(), utc.max()))
    transitions, offsets = _offset_table(first, last)
    return (utc + offsets[np.searchsorted(transitions, utc, side="right")]) // MINUTES_PER_DAY


def to_utc(wall: np.ndarray, group: np.ndarray, *, interval_end: bool) -> tuple[np.ndarray, np.ndarray]:
    """UTC minutes of each interval start, and a mask of wall times that do not exist in Europe/Zurich.

    A wall time in the repeated autumn hour is resolved by order within its group (one series): the first
    occurrence is summer time, the next one winter time. Interval-end labels become interval starts; an end
    label just after the spring gap ("03:00" ending 01:45–02:00 CET) is read as the instant it names.
    """
    if not interval_end:
        return _resolve(wall, group)
    utc, missing = _resolve(wall - 15, group)
    retry = np.flatnonzero(missing)
    if len(retry):
        end_utc, end_missing = _resolve(wall[retry], group[retry])
        found = retry[~end_missing]
        utc[found] = end_utc[~end_missing] - 15
        missing[found] = False
    return utc, missing


def _resolve(wall: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    utc = np.zeros(len(wall), np.int64)
    if not len(wall):
        return utc, np.zeros(0, bool)
    transitions, offsets = _offset_table(_year_of(int(wall.min())), _year_of(int(wall.max())))
    candidates = sorted(set(offsets.tolist()), reverse=True)  # summer time first: it comes first in autumn
    valid = np.stack(
        [offsets[np.searchsorted(transitions, wall - offset, side="right")] == offset for offset in candidates]
    )
    choice = np.argmax(valid, axis=0)
    ambiguous = np.flatnonzero(valid.sum(axis=0) > 1)
    if len(ambiguous):
        choice[ambiguous] = np.minimum(_occurrence(group[ambiguous], wall[ambiguous]), len(candidates) - 1)
    utc[:] = wall - np.asarray(candidates)[choice]
    return utc, ~valid.any(axis=0)


def _occurrence(group: np.ndarray, wall: np.ndarray) -> np.ndarray:
    """0 for the first appearance of a (group, wall time) pair in file order, 1 for the second, …"""
    order = np.lexsort((np.arange(len(wall)), wall, group))
    same = np.zeros(len(order), bool)
    same[1:] = (group[order][1:] == group[order][:-1]) & (wall[order][1:] == wall[order][:-1])
    run_start = np.maximum.accumulate(np.where(same, 0, np.arange(len(order))))
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order)) - run_start
    return rank


def _year_of(wall_minutes: int) -> int:
    days = wall_minutes // MINUTES_PER_DAY
    ordinal = min(max(days + EPOCH_ORDINAL, date(FIRST_YEAR, 1, 1).toordinal()), date(LAST_YEAR, 12, 31).toordinal())
    return date.fromordinal(ordinal).year


@lru_cache(maxsize=64)
def _offset_table(first_year: int, last_year: int) -> tuple[np.ndarray, np.ndarray]:
    """UTC minutes of every offset change, and the offsets (minutes east of UTC) in force around them.

    ``offsets[i]`` applies from ``transitions[i - 1]`` up to ``transitions[i]``; the range is padded by a year
    on both sides so that times near New Year resolve against the right rules.
    """
    changes = [change for year in range(first_year - 1, last_year + 2) for change in _changes_in_year(year)]
    before = _offset_at(utc_minutes(datetime(first_year - 1, 1, 1, tzinfo=UTC)))
    transitions = np.array([minute for minute, _ in changes], np.int64)
    offsets = np.array([before] + [offset for _, offset in changes], np.int64)
    return transitions, offsets


@lru_cache(maxsize=512)
def _changes_in_year(year: int) -> tuple[tuple[int, int], ...]:
    changes = []
    day = utc_minutes(datetime(year, 1, 1, tzinfo=UTC))
    end = utc_minutes(datetime(year + 1, 1, 1, tzinfo=UTC))
    offset = _offset_at(day)
    while day < end:
        # A week at a time: Zurich's clocks never change twice within one (at most twice a year, months apart).
        following = min(day + 7 * MINUTES_PER_DAY, end)
        if _offset_at(following) != offset:
            low, high = day, following  # the change happens in (low, high]
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if _offset_at(middle) == offset else (low, middle)
            offset = _offset_at(high)
            changes.append((high, offset))
        day = following
    return tuple(changes)


def _offset_at(minutes: int) -> int:
    offset = utc_datetime(minutes).astimezone(ZURICH).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return int(offset.total_seconds() // 60)
