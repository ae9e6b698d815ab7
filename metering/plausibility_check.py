"""Plausibility notes on a planned import: each point's limits and usual level from the database, the checks from
``metering.plausibility``. Writes nothing; the import stores the notes with itself."""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.conf import settings

from communities.models import MeteringPoint
from metering.daybuckets import SLOTS_PER_DAY, from_bytes
from metering.messages import Finding
from metering.models import DaySeries, Direction, series_label
from metering.parsers.decimals import kwh_text
from metering.parsers.localtime import utc_minutes
from metering.plausibility import MWH_PER_KWH_QUARTER_HOUR_PER_KW, Note, series_notes, usual_limit
from openleg.formats import format_day

FINDINGS_PER_KIND = 20  # further notes of a kind are counted in one line; all are stored


@dataclass(frozen=True)
class PointNote:
    metering_point_pk: int
    metering_point: str
    direction: str
    channel: str
    note: Note

    def finding(self) -> Finding:
        return note_finding(
            metering_point=self.metering_point,
            direction=self.direction,
            channel=self.channel,
            day=self.note.day,
            kind=self.note.kind,
            count=self.note.count,
            largest_mwh=self.note.largest_mwh,
            limit_mwh=self.note.limit_mwh,
        )


def note_finding(
    *,
    metering_point: str,
    direction: str,
    channel: str,
    day: date,
    kind: str,
    count: int,
    largest_mwh: int,
    limit_mwh: int,
) -> Finding:
    """The German sentence of a note: for the import's warnings and for the billing run's issues alike."""
    return Finding(
        f"plausibility_{kind}",
        f"{metering_point} {series_label(direction, channel)} {day:%d.%m.%Y}",
        {
            "metering_point": metering_point,
            "direction": str(Direction(direction).label),
            "day": format_day(day),
            "count": str(count),
            "largest": kwh_text(largest_mwh),
            "limit": kwh_text(limit_mwh),
        },
    )


def note_findings(notes: list[PointNote]) -> list[Finding]:
    """The first notes of each kind one by one, the rest counted."""
    findings: list[Finding] = []
    for kind in ("capacity", "night", "spike"):
        of_kind = [note for note in notes if note.note.kind == kind]
        findings += [note.finding() for note in of_kind[:FINDINGS_PER_KIND]]
        if len(of_kind) > FINDINGS_PER_KIND:
            findings.append(
                Finding("more_of_kind", f"plausibility_{kind}", {"count": str(len(of_kind) - FINDINGS_PER_KIND)})
            )
    return findings


def plan_notes(plans) -> list[PointNote]:
    """Notes on the total channels of ``plans`` (``metering.analysis.SeriesPlan`` with their merges)."""
    plans = [p for p in plans if p.series.channel == "total" and p.metering_point_pk and p.merge and len(p.rows)]
    if not plans:
        return []
    capacity = dict(
        MeteringPoint.objects.filter(pk__in={p.metering_point_pk for p in plans}).values_list(
            "pk", "connection_capacity_kw"
        )
    )
    before = _stored_before(plans)
    notes = []
    for plan in plans:
        kw = capacity.get(plan.metering_point_pk) or 0
        series = plan.series
        found = series_notes(
            utc_minutes(series.start),
            series.values_mwh,
            series.quality,
            production=series.direction == "production",
            capacity_limit_mwh=int(kw * MWH_PER_KWH_QUARTER_HOUR_PER_KW) or None,
            usual_limit_mwh=_usual_limit(plan, before),
            latitude=settings.METER_SOLAR_LATITUDE,
            longitude=settings.METER_SOLAR_LONGITUDE,
            night_elevation=settings.METER_NIGHT_SUN_ELEVATION,
        )
        notes += [
            PointNote(plan.metering_point_pk, series.metering_point, series.direction, series.channel, note)
            for note in found
        ]
    return notes


def _window(plan) -> tuple[date, date]:
    """The stored days the usual level also looks at: those of the window before the delivery's first day."""
    rows = plan.rows
    first, last = (rows.first_day + timedelta(days=int(rows.offsets[i])) for i in (0, -1))
    return last - timedelta(days=settings.METER_PLAUSIBILITY_WINDOW_DAYS - 1), first


def _stored_before(plans) -> dict[tuple[int, str], list[tuple[bytes, bytes]]]:
    windows = [_window(plan) for plan in plans]
    wanted = [(plan, start, first) for plan, (start, first) in zip(plans, windows, strict=True) if start < first]
    if not wanted:  # a delivery as long as the window: its own values are the usual level
        return {}
    rows = DaySeries.objects.filter(
        metering_point_id__in={plan.metering_point_pk for plan, _s, _f in wanted},
        channel="total",
        day__gte=min(start for _p, start, _f in wanted),
        day__lt=max(first for _p, _s, first in wanted),
    ).values_list("metering_point_id", "direction", "day", "values", "quality")
    ranges = {(plan.metering_point_pk, plan.series.direction): (start, first) for plan, start, first in wanted}
    stored: dict[tuple[int, str], list[tuple[bytes, bytes]]] = {}
    for pk, direction, day, values, quality in rows:
        bounds = ranges.get((pk, direction))
        if bounds is not None and bounds[0] <= day < bounds[1]:
            stored.setdefault((pk, direction), []).append((values, quality))
    return stored


def _usual_limit(plan, before: dict[tuple[int, str], list[tuple[bytes, bytes]]]) -> int | None:
    stored = before.get((plan.metering_point_pk, plan.series.direction), [])
    decoded = [from_bytes(values, quality) for values, quality in stored]
    values = np.concatenate([plan.merge.values.ravel(), *(v for v, _q in decoded)])
    quality = np.concatenate([plan.merge.quality.ravel(), *(q for _v, q in decoded)])
    return usual_limit(
        values,
        quality,
        factor=settings.METER_PLAUSIBILITY_FACTOR,
        min_slots=settings.METER_PLAUSIBILITY_MIN_DAYS * SLOTS_PER_DAY,
    )
