"""Which metering point–days of a community's month are complete, provisional, incomplete or missing, and where
the VNB's LEG channel was delivered: for all points at once, in two queries whatever the number of points.

A day is judged as ``selectors.coverage`` judges it for one point (the total channels, as good as its worst
direction); days on which the point was no member of the community are told apart from missing ones.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from django.db.models import Q

from communities.models import Membership
from metering.daybuckets import SLOTS_PER_DAY
from metering.models import Channel, DaySeries
from metering.parsers.base import Quality
from metering.selectors import DayStatus
from openleg.periods import local_day, local_month

NOT_MEMBER = "not_member"
# Worst first: a point's day is as good as the worst of its total series.
_ORDER = (DayStatus.MISSING, DayStatus.INCOMPLETE, DayStatus.PROVISIONAL, DayStatus.COMPLETE)


@dataclass(frozen=True)
class PointCoverage:
    metering_point_id: int
    mp_id: str
    members: str  # the participants the point belongs to in the month, by name
    statuses: tuple[str, ...]  # per local day: a DayStatus value or NOT_MEMBER
    leg: tuple[bool, ...]  # per local day: some LEG-channel value delivered


@dataclass(frozen=True)
class CommunityCoverage:
    year: int
    month: int
    days: tuple[date, ...]
    points: tuple[PointCoverage, ...]


def community_coverage(*, community_id: int, year: int, month: int) -> CommunityCoverage:
    """Every point that was a member of the community in the month (ordered by id), day by day."""
    period = local_month(year, month)
    days = _local_days(year, month)
    memberships = _memberships(community_id, days[0], days[-1])
    point_ids = list(memberships)
    utc_days = period.utc_days()
    rows = DaySeries.objects.filter(
        metering_point_id__in=point_ids,
        channel__in=(Channel.TOTAL, Channel.LEG),
        day__gte=utc_days[0],
        day__lte=utc_days[-1],
    ).values_list("metering_point_id", "direction", "channel", "day", "quality")
    series: dict[tuple, np.ndarray] = {}
    width = len(utc_days) * SLOTS_PER_DAY
    for pk, direction, channel, day, quality in rows:
        grid = series.get((pk, direction, channel))
        if grid is None:
            grid = series[(pk, direction, channel)] = np.zeros(width, np.uint8)
        position = (day - utc_days[0]).days * SLOTS_PER_DAY
        grid[position : position + SLOTS_PER_DAY] = np.frombuffer(bytes(quality), np.uint8)
    offset = int((period.start - datetime.combine(utc_days[0], time(0), tzinfo=UTC)).total_seconds() // 900)
    bounds = np.cumsum([offset] + [local_day(day).quarter_hours for day in days]).tolist()
    worst = _worst_per_point(series, bounds)
    leg = _leg_per_point(series, bounds, len(days))
    points = []
    for pk, (mp_id, names, periods) in memberships.items():
        codes = worst.get(pk, [0] * len(days))
        statuses = tuple(
            _ORDER[code] if _member(day, periods) else NOT_MEMBER for day, code in zip(days, codes, strict=True)
        )
        points.append(PointCoverage(pk, mp_id, names, statuses, tuple(leg.get(pk, [False] * len(days)))))
    return CommunityCoverage(year, month, tuple(days), tuple(points))


def _local_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    return [first + timedelta(days=n) for n in range(31) if (first + timedelta(days=n)).month == month]


def _memberships(community_id: int, first: date, last: date) -> dict[int, tuple[str, str, list]]:
    """Per point (ordered by id): its id, its participants' names and its membership periods in the month."""
    found = (
        Membership.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first), valid_from__lte=last)
        .filter(participant__community_id=community_id)
        .select_related("metering_point", "participant")
        .order_by("metering_point__mp_id", "valid_from")
    )
    points: dict[int, tuple[str, list[str], list]] = {}
    for membership in found:
        entry = points.setdefault(membership.metering_point_id, (membership.metering_point.mp_id, [], []))
        name = membership.participant.display_name
        if name not in entry[1]:
            entry[1].append(name)
        entry[2].append((membership.valid_from, membership.valid_to))
    return {pk: (mp_id, ", ".join(names), periods) for pk, (mp_id, names, periods) in points.items()}


def _member(day: date, periods: list) -> bool:
    return any(start <= day and (end is None or end >= day) for start, end in periods)


def _per_day(flags: np.ndarray, bounds: list[int]) -> np.ndarray:
    """How many slots of each local day (``bounds`` in slots of the UTC rows) are flagged."""
    return np.add.reduceat(flags[: bounds[-1]].astype(np.int32), bounds[:-1])


def _day_codes(quality: np.ndarray, bounds: list[int]) -> np.ndarray:
    """Per local day, the status index in ``_ORDER`` of one series' quality."""
    present = _per_day(quality != Quality.MISSING, bounds)
    provisional = _per_day(quality == Quality.PROVISIONAL, bounds)
    lengths = np.diff(bounds)
    complete = np.where(provisional > 0, 2, 3)
    return np.where(present == lengths, complete, np.where(present > 0, 1, 0))


def _worst_per_point(series: dict, bounds: list[int]) -> dict[int, list[int]]:
    worst: dict[int, np.ndarray] = {}
    for (pk, _direction, channel), quality in series.items():
        if channel != Channel.TOTAL:
            continue
        codes = _day_codes(quality, bounds)
        worst[pk] = np.minimum(worst[pk], codes) if pk in worst else codes
    return {pk: codes.tolist() for pk, codes in worst.items()}


def _leg_per_point(series: dict, bounds: list[int], count: int) -> dict[int, list[bool]]:
    found: dict[int, np.ndarray] = defaultdict(lambda: np.zeros(count, bool))
    for (pk, _direction, channel), quality in series.items():
        if channel != Channel.LEG:
            continue
        found[pk] |= _per_day(quality != Quality.MISSING, bounds) > 0
    return {pk: present.tolist() for pk, present in found.items()}
