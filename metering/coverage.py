"""Which metering point–days of a community's month are complete, provisional, incomplete or missing, and where
the VNB's LEG channel was delivered: for all points at once, in two queries whatever the number of points.

A day is judged as ``selectors.coverage`` judges it for one point (the total channels, as good as its worst
direction); days on which the point was no member of the community are told apart from missing ones.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import numpy as np
from django.db import connection
from django.db.models import BinaryField, Case, F, Q, Value, When

from communities.models import Membership, Participant
from metering.daybuckets import SLOTS_PER_DAY
from metering.models import Channel, DaySeries
from metering.parsers.base import Quality
from metering.selectors import DayStatus
from openleg.periods import local_day, local_month

NOT_MEMBER = "not_member"
# Worst first: a point's day is as good as the worst of its total series.
_ORDER = (DayStatus.MISSING, DayStatus.INCOMPLETE, DayStatus.PROVISIONAL, DayStatus.COMPLETE)
_NAMES = {**dict(enumerate(_ORDER)), -1: NOT_MEMBER}
_NAME_FIELDS = ("kind", "first_name", "last_name", "company_name")
_ALL_MEASURED = bytes([Quality.MEASURED]) * SLOTS_PER_DAY
# Most days are measured in every slot: the database sends NULL for those instead of their 96 bytes (a month of 500
# points is ~40,000 rows; fetching and decoding their bytes was most of the page's time).
_QUALITY_UNLESS_MEASURED = Case(
    When(quality=_ALL_MEASURED, then=Value(None)), default=F("quality"), output_field=BinaryField()
)
_display_name = Participant.display_name.fget  # the participant's own rule, without making 500 model instances


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
    points = _memberships(community_id, days)
    utc_days = period.utc_days()
    rows = DaySeries.objects.filter(
        metering_point_id__in=[point[0] for point in points],
        channel__in=(Channel.TOTAL, Channel.LEG),
        day__gte=utc_days[0],
        day__lte=utc_days[-1],
    ).values_list("metering_point_id", "direction", "channel", "day", _QUALITY_UNLESS_MEASURED)
    keys, quality = _quality_by_series(_fetched(rows) if points else [], utc_days)
    offset = int((period.start - datetime.combine(utc_days[0], time(0), tzinfo=UTC)).total_seconds() // 900)
    bounds = np.cumsum([offset] + [local_day(day).quarter_hours for day in days]).tolist()
    worst, leg = _per_point(keys, quality, bounds)
    none = np.zeros(len(days), np.int8)
    no_leg = np.zeros(len(days), bool)
    found = []
    for pk, mp_id, names, member in points:
        statuses = tuple(_NAMES[code] for code in np.where(member, worst.get(pk, none), -1).tolist())
        found.append(PointCoverage(pk, mp_id, names, statuses, tuple(leg.get(pk, no_leg).tolist())))
    return CommunityCoverage(year, month, tuple(days), tuple(found))


def _fetched(queryset) -> list[tuple]:
    """The rows as the database driver gives them: tens of thousands of rows skip the ORM's per-row work (the
    selected columns need no conversion)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _quality_by_series(rows: list[tuple], utc_days: list[date]) -> tuple[list[tuple], np.ndarray]:
    """The series (point, direction, channel) found and their stored quality laid out over the month's UTC days,
    one line per series."""
    keys = sorted({row[:3] for row in rows})
    index = {key: number for number, key in enumerate(keys)}
    series_of = np.fromiter((index[row[:3]] for row in rows), np.int64, len(rows))
    day_of = np.fromiter(((row[3] - utc_days[0]).days for row in rows), np.int64, len(rows))
    stored = np.frombuffer(b"".join(_ALL_MEASURED if row[4] is None else bytes(row[4]) for row in rows), np.uint8)
    stored = stored.reshape(len(rows), SLOTS_PER_DAY)
    grid = np.zeros((len(keys), len(utc_days), SLOTS_PER_DAY), np.uint8)
    grid[series_of, day_of] = stored
    return keys, grid.reshape(len(keys), len(utc_days) * SLOTS_PER_DAY)


def _per_point(keys: list[tuple], quality: np.ndarray, bounds: list[int]) -> tuple[dict, dict]:
    """Per point and local day: the status index in ``_ORDER`` of its worst total series, and whether any LEG
    channel value came; every series at once."""
    if not keys:
        return {}, {}
    window = quality[:, : bounds[-1]]
    starts = bounds[:-1]
    present = np.add.reduceat((window != Quality.MISSING).astype(np.int32), starts, axis=1)
    provisional = np.add.reduceat((window == Quality.PROVISIONAL).astype(np.int32), starts, axis=1)
    complete = np.where(provisional > 0, 2, 3)
    codes = np.where(present == np.diff(bounds), complete, np.where(present > 0, 1, 0)).astype(np.int8)
    worst: dict[int, np.ndarray] = {}
    leg: dict[int, np.ndarray] = {}
    for number, (pk, _direction, channel) in enumerate(keys):
        if channel == Channel.TOTAL:
            worst[pk] = np.minimum(worst[pk], codes[number]) if pk in worst else codes[number]
        elif channel == Channel.LEG:
            leg[pk] = leg[pk] | (present[number] > 0) if pk in leg else present[number] > 0
    return worst, leg


def _local_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    return [first + timedelta(days=n) for n in range(31) if (first + timedelta(days=n)).month == month]


def _memberships(community_id: int, days: list[date]) -> list[tuple[int, str, str, np.ndarray]]:
    """Per point (ordered by id): its pk and id, its participants' names, and per day whether it was a member."""
    first, last = days[0], days[-1]
    found = (
        Membership.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first), valid_from__lte=last)
        .filter(participant__community_id=community_id)
        .order_by("metering_point__mp_id", "valid_from")
        .values_list(
            "metering_point_id",
            "metering_point__mp_id",
            "valid_from",
            "valid_to",
            *(f"participant__{name}" for name in _NAME_FIELDS),
        )
    )
    points: dict[int, tuple[str, list[str], np.ndarray]] = {}
    for pk, mp_id, start, end, *name_fields in found:
        entry = points.setdefault(pk, (mp_id, [], np.zeros(len(days), bool)))
        name = _display_name(SimpleNamespace(**dict(zip(_NAME_FIELDS, name_fields, strict=True))))
        if name not in entry[1]:
            entry[1].append(name)
        entry[2][max(0, (start - first).days) : (end - first).days + 1 if end else len(days)] = True
    return [(pk, mp_id, ", ".join(names), member) for pk, (mp_id, names, member) in points.items()]
