"""Reads of stored interval data: series for a period, a day's profile, which days are complete, and the
plausibility notes that stand."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.scoping import scope_to_user
from metering.daybuckets import SLOTS_PER_DAY, from_bytes, sources_from_bytes
from metering.models import AggregateDaySeries, DaySeries, MeterImport, PlausibilityNote
from metering.parsers.base import Quality
from metering.plausibility_check import note_finding
from openleg.errors import NotFound
from openleg.periods import Period, local_date, local_day, local_month

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


def series_for_long_period(*, metering_point_ids, period: Period, channels=("total",)) -> dict[SeriesKey, PeriodSeries]:
    """``series_for_period`` for long periods (a year): PostgreSQL glues each series' day rows together in day order
    (one row per series instead of one per day) and sends them in binary (a year of 50 points is some 16 MB, which
    the text protocol would double as hex), and each series is placed with one numpy assignment."""
    if connection.vendor != "postgresql":
        return series_for_period(metering_point_ids=metering_point_ids, period=period, channels=channels)
    days = period.utc_days()
    with _binary_cursor() as cursor:
        cursor.execute(
            f"""
            SELECT metering_point_id, direction, channel, array_agg(day - %s::date ORDER BY day),
                   string_agg("values", ''::bytea ORDER BY day), string_agg(quality, ''::bytea ORDER BY day)
            FROM {DaySeries._meta.db_table}
            WHERE metering_point_id = ANY(%s) AND channel = ANY(%s) AND day BETWEEN %s AND %s
            GROUP BY metering_point_id, direction, channel
            """,
            [days[0], list(metering_point_ids), list(channels), days[0], days[-1]],
        )
        rows = cursor.fetchall()
    offset = int((period.start - _utc_midnight(days[0])).total_seconds() // 900)
    window = slice(offset, offset + period.quarter_hours)
    found = {}
    for pk, direction, channel, offsets, values, quality in rows:
        grid_values = np.zeros((len(days), SLOTS_PER_DAY), np.int64)
        grid_quality = np.zeros((len(days), SLOTS_PER_DAY), np.uint8)
        grid_values[offsets] = np.frombuffer(values, dtype="<i8").reshape(-1, SLOTS_PER_DAY)
        grid_quality[offsets] = np.frombuffer(quality, dtype=np.uint8).reshape(-1, SLOTS_PER_DAY)
        found[(pk, direction, channel)] = PeriodSeries(grid_values.ravel()[window], grid_quality.ravel()[window])
    return found


def _binary_cursor():
    """A cursor of Django's connection (same transaction, logged like any query) whose results come in binary."""
    import psycopg

    class BinaryResults(psycopg.Cursor):
        def execute(self, query, params=None, **options):
            return super().execute(query, params, binary=True, **options)

    connection.ensure_connection()
    cursor = BinaryResults(connection.connection)
    return connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)


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


@dataclass(frozen=True)
class PlausibilityEntry:
    metering_point_id: int
    metering_point: str
    direction: str
    channel: str
    day: date  # Europe/Zurich
    kind: str
    count: int
    largest_mwh: int
    limit_mwh: int
    message: str  # German, naming the point, the day, what, the largest value and the limit


def plausibility_notes(*, metering_point_ids, period: Period) -> list[PlausibilityEntry]:
    """The plausibility notes on the points' local days in the period that still stand: each comes from an import
    that still supplies values of that day (a later delivery of the day replaces the notes of the earlier ones;
    a superseded import supplies nothing). Of equal notes from several such imports the newest document's counts.
    """
    first, last = local_date(period.start), local_date(period.end - timedelta(microseconds=1))
    notes = list(
        PlausibilityNote.objects.filter(
            metering_point_id__in=list(metering_point_ids),
            day__gte=first,
            day__lte=last,
            meter_import__status=MeterImport.Status.APPLIED,
        )
        .select_related("metering_point")
        .annotate(document_time=Coalesce("meter_import__document_created_at", "meter_import__created_at"))
        .order_by("document_time", "meter_import_id")
    )
    if not notes:
        return []
    sources = _sources_by_day(notes, first - timedelta(days=1), last)
    standing: dict[tuple, PlausibilityNote] = {}
    for note in notes:  # oldest document first: a newer one replaces it
        if note.meter_import_id in _sources_of_local_day(sources, note):
            standing[(note.metering_point_id, note.direction, note.channel, note.day, note.kind)] = note
    entries = [_entry(note) for note in standing.values()]
    return sorted(entries, key=lambda e: (e.metering_point, e.day, e.direction, e.channel, e.kind))


def _sources_by_day(notes, first: date, last: date) -> dict[tuple[int, str, str, date], np.ndarray]:
    rows = DaySeries.objects.filter(
        metering_point_id__in={note.metering_point_id for note in notes},
        channel__in={note.channel for note in notes},
        day__gte=first,
        day__lte=last,
    ).values_list("metering_point_id", "direction", "channel", "day", "sources", "quality")
    return {(pk, d, c, day): sources_from_bytes(sources, quality) for pk, d, c, day, sources, quality in rows}


def _sources_of_local_day(sources: dict, note) -> set[int]:
    """The imports that supply slots of the note's Europe/Zurich day (it spans two UTC day rows)."""
    day = local_day(note.day)
    previous = note.day - timedelta(days=1)
    none = np.zeros(SLOTS_PER_DAY, np.int64)
    both = np.concatenate(
        [sources.get((note.metering_point_id, note.direction, note.channel, d), none) for d in (previous, note.day)]
    )
    offset = int((day.start - _utc_midnight(previous)).total_seconds() // 900)
    return set(both[offset : offset + day.quarter_hours].tolist())


def _entry(note: PlausibilityNote) -> PlausibilityEntry:
    mp_id = note.metering_point.mp_id
    finding = note_finding(
        metering_point=mp_id,
        direction=note.direction,
        channel=note.channel,
        day=note.day,
        kind=note.kind,
        count=note.count,
        largest_mwh=note.largest_mwh,
        limit_mwh=note.limit_mwh,
    )
    return PlausibilityEntry(
        note.metering_point_id,
        mp_id,
        note.direction,
        note.channel,
        note.day,
        note.kind,
        note.count,
        note.largest_mwh,
        note.limit_mwh,
        finding.message,
    )


def meter_imports_visible_to(user) -> QuerySet[MeterImport]:
    """The imports of the user's utility, newest first (the portal's history)."""
    return scope_to_user(MeterImport.objects.select_related("actor"), user, utility_path="utility")


def meter_import_get(*, user, pk: int) -> MeterImport:
    meter_import = meter_imports_visible_to(user).filter(pk=pk).first()
    if meter_import is None:
        raise NotFound(_("Kein Messdaten-Import mit der Nummer %(pk)s, den Sie sehen dürfen.") % {"pk": pk})
    return meter_import
