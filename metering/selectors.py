"""Reads of stored interval data: series for a period, a day's profile, and which days are complete."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from metering.daybuckets import SLOTS_PER_DAY, from_bytes
from metering.models import AggregateDaySeries, DaySeries
from metering.parsers.base import Quality
from openleg.periods import Period, local_day, local_month

SeriesKey = tuple[int, str, str]  # metering point pk, direction, channel


@dataclass(frozen=True)
class PeriodSeries:
    """Values (mWh) and quality per quarter-hour of ``period`` for one metering point, direction and channel."""

    values: np.ndarray
    quality: np.ndarray


def series_for_period(*, metering_point_ids, period: Period, channels=("total",)) -> dict[SeriesKey, PeriodSeries]:
    """Every stored series of the points in the period, cut to its quarter-hours; missing slots are 0/MISSING."""
    days = period.utc_days()
    rows = DaySeries.objects.filter(
        metering_point_id__in=list(metering_point_ids), channel__in=channels, day__gte=days[0], day__lte=days[-1]
    ).values_list("metering_point_id", "direction", "channel", "day", "values", "quality")
    return _cut_to_period((((pk, d, c), day, v, q) for pk, d, c, day, v, q in rows), period)


def aggregate_for_period(*, community_id: int, period: Period, direction: str, channel: str) -> PeriodSeries | None:
    """The VNB's community total (SDAT E31) for the period, where one was delivered."""
    days = period.utc_days()
    rows = AggregateDaySeries.objects.filter(
        community_id=community_id, direction=direction, channel=channel, day__gte=days[0], day__lte=days[-1]
    ).values_list("day", "values", "quality")
    return _cut_to_period((("total", day, v, q) for day, v, q in rows), period).get("total")


def _cut_to_period(rows, period: Period) -> dict:
    days = period.utc_days()
    first_day = days[0]
    offset = int((period.start - _utc_midnight(first_day)).total_seconds() // 900)
    grids: dict = {}
    for key, day, values, quality in rows:
        if key not in grids:
            grids[key] = (np.zeros(len(days) * SLOTS_PER_DAY, np.int64), np.zeros(len(days) * SLOTS_PER_DAY, np.uint8))
        position = (day - first_day).days * SLOTS_PER_DAY
        day_values, day_quality = from_bytes(values, quality)
        grids[key][0][position : position + SLOTS_PER_DAY] = day_values
        grids[key][1][position : position + SLOTS_PER_DAY] = day_quality
    window = slice(offset, offset + period.quarter_hours)
    return {key: PeriodSeries(values[window], quality[window]) for key, (values, quality) in grids.items()}


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def day_profile(*, metering_point_id: int, day: date) -> dict[tuple[str, str], PeriodSeries]:
    """A Europe/Zurich day of every stored channel of one point: 92, 96 or 100 quarter-hours."""
    found = series_for_period(
        metering_point_ids=[metering_point_id], period=local_day(day), channels=("total", "leg", "grid")
    )
    return {(direction, channel): series for (_pk, direction, channel), series in found.items()}


class DayStatus:
    COMPLETE = "complete"
    PROVISIONAL = "provisional"
    INCOMPLETE = "incomplete"
    MISSING = "missing"


def coverage(*, metering_point_id: int, year: int, month: int) -> dict[date, str]:
    """Per local day of the month: complete, provisional (all there, some provisional), incomplete or missing.

    Judged on the total channels; a day is as good as its worst direction.
    """
    period = local_month(year, month)
    found = series_for_period(metering_point_ids=[metering_point_id], period=period)
    statuses: dict[date, list[str]] = defaultdict(list)
    first = date(year, month, 1)
    days = [
        first + timedelta(days=n)
        for n in range((period.end - period.start).days + 1)
        if (first + timedelta(days=n)).month == month
    ]
    for series in found.values():
        position = 0
        for day in days:
            length = local_day(day).quarter_hours
            quality = series.quality[position : position + length]
            position += length
            statuses[day].append(_status(quality))
    order = [DayStatus.MISSING, DayStatus.INCOMPLETE, DayStatus.PROVISIONAL, DayStatus.COMPLETE]
    return {day: min(statuses.get(day, [DayStatus.MISSING]), key=order.index) for day in days}


def _status(quality: np.ndarray) -> str:
    present = quality != Quality.MISSING
    if not present.any():
        return DayStatus.MISSING
    if not present.all():
        return DayStatus.INCOMPLETE
    if (quality == Quality.PROVISIONAL).any():
        return DayStatus.PROVISIONAL
    return DayStatus.COMPLETE


def latest_day_with_data(*, metering_point_id: int) -> date | None:
    return (
        DaySeries.objects.filter(metering_point_id=metering_point_id)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
