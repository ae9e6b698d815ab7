"""From loose readings (series, slot, value, quality) to contiguous Series, with the checks all formats share.

Duplicates are problems; gaps, days cut at the file's edges and provisional or estimated values are warnings.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from metering.parsers.base import Channel, Direction, Issues, Quality, Series
from metering.parsers.localtime import (
    MINUTES_PER_DAY,
    is_local_midnight,
    local_datetime,
    local_day_bounds,
    local_text,
    quarter_hours_in_local_day,
    utc_datetime,
    utc_iso,
)

SPAN_FACTOR = 4  # all series together may span four times as many quarter-hours as they have values …
SPAN_SLACK = 366 * 96  # … plus a (leap) year of them


@dataclass(frozen=True)
class SeriesKey:
    metering_point: str | None
    direction: Direction
    channel: Channel = "total"

    @property
    def label(self) -> str:
        share = "" if self.channel == "total" else f" ({self.channel} share)"
        return " ".join(filter(None, (self.metering_point, self.direction))) + share

    @property
    def params(self) -> dict[str, str]:
        return {
            "metering_point": self.metering_point or "",
            "direction": self.direction,
            "channel": self.channel,
        }


@dataclass(frozen=True, eq=False)
class Readings:
    """One entry per delivered value; ``locate(i)`` tells where entry i stands in the file."""

    group: np.ndarray  # int64 index into the series keys
    slot: np.ndarray  # int64 UTC quarter-hour number since the epoch (interval start // 15 minutes)
    value: np.ndarray  # int64 mWh
    quality: np.ndarray  # uint8 Quality

    @classmethod
    def empty(cls) -> "Readings":
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint8))

    @classmethod
    def concat(cls, parts: Sequence["Readings"]) -> "Readings":
        if not parts:
            return cls.empty()
        return cls(
            np.concatenate([part.group for part in parts]),
            np.concatenate([part.slot for part in parts]),
            np.concatenate([part.value for part in parts]),
            np.concatenate([part.quality for part in parts]),
        )


def build_series(
    keys: Sequence[SeriesKey],
    readings: Readings,
    locate: Callable[[int], str],
    issues: Issues,
    *,
    ranges: Mapping[int, tuple[int, int]] | None = None,
) -> list[Series]:
    """Series in order of ``keys``; ``ranges`` widens a series to the slots a file declares (SDAT)."""
    ranges = ranges or {}
    if not len(readings.group):
        return []
    entries = first_occurrences(readings.group, readings.slot, lambda group: keys[group].label, locate, issues)
    group, slot = readings.group[entries], readings.slot[entries]
    bounds = np.flatnonzero(np.diff(group)) + 1
    heads = np.concatenate(([0], bounds))
    tails = np.concatenate((bounds, [len(entries)])) - 1
    firsts, lasts = slot[heads], slot[tails] + 1
    for n, key_index in enumerate(group[heads].tolist()):
        if key_index in ranges:
            firsts[n] = min(int(firsts[n]), ranges[key_index][0])
            lasts[n] = max(int(lasts[n]), ranges[key_index][1])
    if _mostly_gaps(keys, group, slot, entries, heads, tails, firsts, lasts, locate, issues):
        return []
    series = []
    for head, tail, first, last in zip(heads.tolist(), tails.tolist(), firsts.tolist(), lasts.tolist(), strict=True):
        part = slice(head, tail + 1)
        key_index = int(group[head])
        located = np.full(last - first, -1, np.int64)
        located[slot[part] - first] = entries[part]
        values = np.zeros(last - first, np.int64)
        quality = np.zeros(last - first, np.uint8)
        values[slot[part] - first] = readings.value[entries[part]]
        quality[slot[part] - first] = readings.quality[entries[part]]
        key = keys[key_index]
        _report_gaps(key, first, located, locate, issues)
        _report_cut_days(key, first, located, locate, issues)
        _report_quality(key, quality, located, locate, issues)
        series.append(Series(key.metering_point, key.direction, key.channel, utc_datetime(first * 15), values, quality))
    return series


def _mostly_gaps(
    keys: Sequence[SeriesKey],
    group: np.ndarray,
    slot: np.ndarray,
    entries: np.ndarray,
    heads: np.ndarray,
    tails: np.ndarray,
    firsts: np.ndarray,
    lasts: np.ndarray,
    locate: Callable[[int], str],
    issues: Issues,
) -> bool:
    """Refuse (as a problem) series that are mostly gaps, before their slots are allocated.

    Series are contiguous, so two values two centuries apart would take 8 million slots: a file of a few bytes
    could claim gigabytes. All series together may span four times their values plus a year of quarter-hours;
    real exports, gaps included, stay far below that, and memory stays proportional to the file.
    """
    spans = lasts - firsts
    if int(spans.sum()) <= SPAN_FACTOR * len(entries) + SPAN_SLACK:
        return False
    counts = tails - heads + 1
    worst = int(np.argmax(spans - counts))
    head, tail, first, last = int(heads[worst]), int(tails[worst]), int(firsts[worst]), int(lasts[worst])
    part = slot[head : tail + 1]
    # The widest gap: between two values, or between the declared edge of the series (SDAT) and a value.
    inner = np.diff(part) - 1
    widest = int(np.argmax(inner)) if len(inner) else 0
    candidates = [
        (int(inner[widest]) if len(inner) else -1, head + widest + 1),
        (int(part[0]) - first, head),
        (last - 1 - int(part[-1]), tail),
    ]
    gap, at = max(candidates, key=lambda candidate: candidate[0])
    key = keys[int(group[head])]
    count, days = int(counts[worst]), (last - first) * 15 // MINUTES_PER_DAY
    issues.problem(
        "mostly_gaps",
        locate(int(entries[at])),
        (
            f"{key.label} has only {count} values over {days} days ({local_text(first * 15)} to "
            f"{local_text(last * 15)} local time); the widest gap ({gap:,} quarter-hours, about {gap // 96:,} days) "
            "borders on this value. A date is probably wrong: a file whose values are mostly gaps is not read."
        ),
        count=count,
        days=days,
        start=utc_iso(first * 15),
        end=utc_iso(last * 15),
        gap=gap,
        **key.params,
    )
    return True


def first_occurrences(
    group: np.ndarray,
    slot: np.ndarray,
    label: Callable[[int], str],
    locate: Callable[[int], str],
    issues: Issues,
) -> np.ndarray:
    """Entry indices sorted by (group, slot), dropping and reporting repeated slots (the first one wins)."""
    if not len(group):
        return np.zeros(0, np.int64)
    low = int(slot.min())
    order_key = group * (int(slot.max()) - low + 1) + (slot - low)
    if np.all(order_key[1:] > order_key[:-1]):  # exports are usually in order: no sort needed
        return np.arange(len(order_key))
    order = np.argsort(order_key, kind="stable")
    repeated = np.flatnonzero(order_key[order][1:] == order_key[order][:-1]) + 1

    def describe(position: int) -> tuple[str, str, dict[str, object]]:
        first, again = int(order[position - 1]), int(order[position])
        start = int(slot[again]) * 15
        return (
            locate(again),
            (
                f"The quarter-hour starting {utc_iso(start)} ({local_text(start)} local time) of "
                f"{label(int(group[again]))} appears again; it was first given at {locate(first)}."
            ),
            {"slot": utc_iso(start), "local": local_text(start), "first": locate(first)},
        )

    issues.problem_each("duplicate_slot", repeated, describe)
    keep = np.ones(len(order), bool)
    keep[repeated] = False
    return order[keep]


def _report_gaps(key: SeriesKey, first: int, located: np.ndarray, locate: Callable[[int], str], issues: Issues) -> None:
    missing = located < 0
    if not missing.any():
        return
    edges = np.diff(np.concatenate(([False], missing, [False])).astype(np.int8))
    run_starts, run_ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)

    def describe(run: int) -> tuple[str, str, dict[str, object]]:
        run_start, run_end = int(run_starts[run]), int(run_ends[run])
        start, end = (first + run_start) * 15, (first + run_end) * 15
        count = run_end - run_start
        where = (
            f"after {locate(int(located[run_start - 1]))}" if run_start else f"before {locate(int(located[run_end]))}"
        )
        return (
            where,
            (
                f"{count} quarter-hour{'s' if count > 1 else ''} of {key.label} missing from {utc_iso(start)} to "
                f"{utc_iso(end)} ({local_text(start)} to {local_text(end)} local time)."
            ),
            {"count": count, "slot": utc_iso(start), "end": utc_iso(end), **key.params},
        )

    # Every other quarter-hour missing makes a gap each: past the cap they are only counted.
    issues.warning_each("gap", range(len(run_starts)), describe)


def _report_cut_days(
    key: SeriesKey, first: int, located: np.ndarray, locate: Callable[[int], str], issues: Issues
) -> None:
    """A series starting or ending inside a local day leaves that day incomplete (normal at file edges)."""
    edges = []
    if not is_local_midnight(first * 15):
        edges.append((local_datetime(first * 15).date(), int(located[0])))
    last = first + len(located)
    if not is_local_midnight(last * 15):
        day = local_datetime(last * 15 - 15).date()
        if not edges or edges[0][0] != day:
            edges.append((day, int(located[-1])))

    def describe(edge: int) -> tuple[str, str, dict[str, object]]:
        day, entry = edges[edge]
        day_start, day_end = local_day_bounds(day)
        inside = located[max(day_start // 15 - first, 0) : max(day_end // 15 - first, 0)]
        found, expected = int(np.count_nonzero(inside >= 0)), quarter_hours_in_local_day(day)
        return (
            locate(entry),
            f"{key.label} covers {found} of the {expected} quarter-hours of {day:%d.%m.%Y}.",
            {"day": day.isoformat(), "found": found, "expected": expected, **key.params},
        )

    issues.warning_each("incomplete_day", range(len(edges)), describe)


_MARKED = (
    (int(Quality.PROVISIONAL), "provisional", "provisional"),
    (int(Quality.ESTIMATED), "estimated", "estimated or substituted"),
)


def _report_quality(
    key: SeriesKey, quality: np.ndarray, located: np.ndarray, locate: Callable[[int], str], issues: Issues
) -> None:
    counts = np.bincount(quality, minlength=len(Quality))
    delivered = len(quality) - int(counts[Quality.MISSING])
    for mark, code, meaning in _MARKED:
        if counts[mark]:
            marked = int(counts[mark])
            issues.warning(
                code,
                locate(int(located[int(np.argmax(quality == mark))])),
                f"{marked} of the {delivered} values of {key.label} are {meaning}.",
                count=marked,
                total=delivered,
                **key.params,
            )
