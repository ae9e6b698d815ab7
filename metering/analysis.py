"""What a delivered file would do: parse it, check it against the database, plan the merge.

Shared by every door (admin preview, command, task); writes nothing.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np

from communities.models import Community, Membership, MeteringPoint
from metering import parsers
from metering.csv_mappings import saved_mapping_for
from metering.daybuckets import (
    SLOTS_PER_DAY,
    DayRows,
    Merge,
    from_bytes,
    merge_days,
    sources_from_bytes,
    split_into_days,
)
from metering.messages import Finding, finding_from_problem
from metering.models import AggregateDaySeries, DaySeries, series_label
from metering.parsers.base import ParsedFile, Problem, Series
from metering.plausibility_check import PointNote, note_findings, plan_notes
from metering.supersession import Delivery, document_times, micros, supersession_warnings
from openleg.periods import local_date, utc_now

_MWH_PER_KWH = Decimal(1_000_000)
UNCONFIRMED_MAPPING = "unconfirmed_mapping"
logger = logging.getLogger(__name__)


@dataclass
class SeriesPlan:
    series: Series
    rows: DayRows
    merge: Merge | None = None  # set once the stored rows are known
    metering_point_pk: int | None = None
    key: tuple = ()  # the stored rows' key without the day

    def slots(self, what: str) -> int:
        """How many slots the delivery makes "new", "changed", leaves "unchanged" or loses ("superseded")."""
        return int(getattr(self.merge, what).sum()) if self.merge is not None else 0

    def summary(self) -> dict:
        total = Decimal(self.series.total_mwh) / _MWH_PER_KWH
        kwh = total.quantize(Decimal("0.000001")).normalize()
        if -kwh.as_tuple().exponent < 3:
            kwh = kwh.quantize(Decimal("0.001"))
        return {
            "metering_point": self.series.metering_point,
            "direction": self.series.direction,
            "channel": self.series.channel,
            "start": self.series.start.isoformat().replace("+00:00", "Z"),
            "end": self.series.end.isoformat().replace("+00:00", "Z"),
            "intervals": self.series.intervals,
            "kwh": str(kwh),
            "slots_new": self.slots("new"),
            "slots_changed": self.slots("changed"),
            "slots_unchanged": self.slots("unchanged"),
            "slots_superseded": self.slots("superseded"),
        }


@dataclass
class Analysis:
    filename: str
    parsed: ParsedFile
    errors: list[Finding]
    warnings: list[Finding]
    plans: list[SeriesPlan]
    delivery: Delivery
    notes: list[PointNote] = field(default_factory=list)  # plausibility, stored with the import
    planned_from: int = 0  # warnings from here on come from the plan: a new plan replaces them
    stored_marks: frozenset = frozenset()  # (pk, last_import) of the stored rows the plan was made against

    @property
    def format(self) -> str:
        return self.parsed.format

    @property
    def is_aggregate(self) -> bool:
        return self.parsed.format == "sdat-e31"

    @property
    def unknown_points(self) -> list[str]:
        return [f.params["metering_point"] for f in self.errors if f.code == "unknown_metering_point"]

    @property
    def applicable_once_points_exist(self) -> bool:
        """Nothing is wrong but points we do not know yet, which staff may create from the preview."""
        return bool(self.errors) and len(self.unknown_points) == len(self.errors)

    def count(self, what: str) -> int:
        return sum(plan.slots(what) for plan in self.plans)

    @property
    def wholly_superseded(self) -> bool:
        """Some delivered values lost to newer stored deliveries and none won: applying it changes nothing."""
        takes_any = any(plan.merge.written.any() for plan in self.plans if plan.merge is not None)
        return not takes_any and self.count("superseded") > 0


def analyse(
    *,
    data: bytes,
    filename: str,
    metering_point: str | None = None,
    mapping: parsers.GenericMapping | None = None,
    utility=None,
    received_at: datetime | None = None,
    points_of_utility: int | None = None,
) -> Analysis:
    """``received_at`` times a delivery whose document states no creation time (CSV exports); default now.

    ``points_of_utility`` (a utility's pk) refuses a file with metering points or a community of any other utility:
    a utility's own users bring only their own data (the portal)."""
    if mapping is None and parsers.detect_format(data).format == "generic":
        mapping = saved_mapping_for(data, utility=utility)
    try:
        parsed = parsers.parse(data, filename=filename, metering_point=metering_point or None, mapping=mapping)
    except Exception:  # a parser bug must reject the file, never half-store it or crash the door
        logger.exception("parser failed on %s", filename)
        problem = Problem("parser_failure", filename or "file", "The file could not be read.", {})
        parsed = ParsedFile("unknown", (), (problem,), (), {})
    errors = [finding_from_problem(problem) for problem in parsed.problems]
    warnings = [finding_from_problem(problem) for problem in parsed.warnings]
    # A guessed column mapping is a proposal: values are stored only once a person has confirmed it.
    errors += [finding for finding in warnings if finding.code == UNCONFIRMED_MAPPING]
    warnings = [finding for finding in warnings if finding.code != UNCONFIRMED_MAPPING]
    plans = [SeriesPlan(series=s, rows=split_into_days(s.start, s.values_mwh, s.quality)) for s in parsed.series]
    delivery = Delivery.of(filename, parsed.meta, received_at or utc_now())
    analysis = Analysis(filename, parsed, errors, warnings, plans, delivery)
    if not errors and parsed.format != "sdat-e31":
        errors += _check_metering_points(plans, warnings, points_of_utility)
    if not errors and parsed.format == "sdat-e31" and points_of_utility is not None:
        errors += _check_community_of_utility(parsed, points_of_utility)
    if not errors:
        replan(analysis)
    return analysis


def replan(analysis: Analysis) -> None:
    """Plan (again) against what is stored now: the merge, its warnings and the plausibility notes."""
    if not analysis.planned_from:
        analysis.planned_from = len(analysis.warnings)
    del analysis.warnings[analysis.planned_from :]
    stored = _stored_rows(analysis.parsed, analysis.plans)
    found = (_aggregate_rows if analysis.is_aggregate else _day_rows)(stored, analysis.plans)
    analysis.stored_marks = frozenset((row[0], row[1]) for row in found)
    analysis.warnings += _merge_rows(analysis.plans, {row[2:-3]: row[-3:] for row in found}, analysis.delivery)
    analysis.notes = [] if analysis.is_aggregate else plan_notes(analysis.plans)
    analysis.warnings += note_findings(analysis.notes)


def stored_since(analysis: Analysis) -> bool:
    """Whether the stored rows the plan was made against changed since (another import was applied meanwhile)."""
    current = _stored_rows(analysis.parsed, analysis.plans).values_list("pk", "last_import_id")
    return frozenset(current) != analysis.stored_marks


def _stored_rows(parsed: ParsedFile, plans: list[SeriesPlan]):
    if parsed.format == "sdat-e31":
        return AggregateDaySeries.objects.filter(community_ref=aggregate_reference(parsed))
    ordinals = [plan.rows.first_day.toordinal() + plan.rows.offsets for plan in plans if len(plan.rows)]
    if not ordinals:
        return DaySeries.objects.none()
    first = date.fromordinal(int(min(days[0] for days in ordinals)))  # offsets are ascending
    last = date.fromordinal(int(max(days[-1] for days in ordinals)))
    # One plain query over the file's points and days; rows of other channels are filtered out when merging.
    points = {plan.metering_point_pk for plan in plans}
    return DaySeries.objects.filter(metering_point_id__in=points, day__gte=first, day__lte=last)


def aggregate_reference(parsed: ParsedFile) -> str:
    return parsed.meta.get("community_id") or parsed.meta.get("grid_area", "")


def _series_label(series: Series) -> str:
    return f"{series.metering_point} ({series_label(series.direction, series.channel)})"


def _check_community_of_utility(parsed: ParsedFile, utility_id: int) -> list[Finding]:
    """An aggregate is kept under the VNB's community reference: only under one of the utility's own communities."""
    reference = aggregate_reference(parsed)
    community = community_for_reference(reference)
    if community is not None and community.utility_id == utility_id:
        return []
    return [Finding("foreign_community", reference or "file", {"reference": reference or "–"})]


def _check_metering_points(
    plans: list[SeriesPlan], warnings: list[Finding], points_of_utility: int | None = None
) -> list[Finding]:
    ids = {plan.series.metering_point for plan in plans}
    found = MeteringPoint.objects.filter(mp_id__in=ids).values_list("mp_id", "pk", "utility_id")
    # Another utility's point is refused without saying whose it is: to the utility it is not there.
    foreign = sorted(mp_id for mp_id, _pk, utility_id in found if points_of_utility not in (None, utility_id))
    known = {mp_id: pk for mp_id, pk, _utility_id in found if mp_id not in foreign}
    errors = [Finding("foreign_metering_point", mp_id, {"metering_point": mp_id}) for mp_id in foreign]
    unknown = sorted(ids - set(known) - set(foreign))
    errors += [Finding("unknown_metering_point", mp_id, {"metering_point": mp_id}) for mp_id in unknown]
    memberships = Membership.objects.filter(metering_point_id__in=known.values()).values_list(
        "metering_point_id", "valid_from", "valid_to"
    )
    periods: dict[int, list[tuple[date, date | None]]] = {}
    for pk, start, end in memberships:
        periods.setdefault(pk, []).append((start, end))
    for plan in plans:
        plan.metering_point_pk = known.get(plan.series.metering_point)
        if plan.metering_point_pk is None:
            continue
        first, last = local_date(plan.series.start), local_date(plan.series.end - timedelta(microseconds=1))
        covered = any(
            start <= last and (end is None or end >= first) for start, end in periods.get(plan.metering_point_pk, [])
        )
        if not covered:
            warnings.append(
                Finding(
                    "not_in_community",
                    _series_label(plan.series),
                    {
                        "metering_point": plan.series.metering_point,
                        "first": first.isoformat(),
                        "last": last.isoformat(),
                    },
                )
            )
    return errors


def _day_rows(stored, plans: list[SeriesPlan]) -> list[tuple]:
    """The stored rows as (pk, last import, *key, day, values, quality, sources); each plan learns its key."""
    for plan in plans:
        plan.key = (plan.metering_point_pk, plan.series.direction, plan.series.channel)
    return list(
        stored.values_list(
            "pk", "last_import_id", "metering_point_id", "direction", "channel", "day", "values", "quality", "sources"
        )
    )


def _merge_rows(
    plans: list[SeriesPlan], stored_rows: dict[tuple, tuple[bytes, bytes, bytes]], delivery: Delivery
) -> list[Finding]:
    """Every plan's rows merged with what is stored under ``(*plan.key, day)``, all plans in one go.

    Returns the warnings about delivered values that lost to newer stored deliveries.
    """
    if not plans:
        return []
    bounds = np.cumsum([0] + [len(plan.rows) for plan in plans]).tolist()
    count = bounds[-1]
    stored = np.zeros(count, bool)
    stored_values = np.zeros((count, SLOTS_PER_DAY), np.int64)
    stored_quality = np.zeros((count, SLOTS_PER_DAY), np.uint8)
    stored_sources = np.zeros((count, SLOTS_PER_DAY), np.int64)
    if stored_rows:
        for plan, first in zip(plans, bounds, strict=False):
            key = plan.key
            for row, day in enumerate(plan.rows.days, first):
                existing = stored_rows.get((*key, day))
                if existing is not None:
                    stored[row] = True
                    stored_values[row], stored_quality[row] = from_bytes(existing[0], existing[1])
                    stored_sources[row] = sources_from_bytes(existing[2], existing[1])
    times = document_times(stored_sources) if stored.any() else np.zeros_like(stored_sources)
    delivered_time = micros(delivery.created_at)
    merged = merge_days(
        stored,
        stored_values,
        stored_quality,
        stored_sources,
        times,
        np.concatenate([plan.rows.values for plan in plans]),
        np.concatenate([plan.rows.quality for plan in plans]),
        delivered_time,
    )
    for plan, first, end in zip(plans, bounds, bounds[1:], strict=False):
        plan.merge = merged.part(slice(first, end))
    if not merged.superseded.any():
        return []
    return supersession_warnings(delivery, merged.stored_sources[merged.lost], times[merged.lost])


def _aggregate_rows(stored, plans: list[SeriesPlan]) -> list[tuple]:
    for plan in plans:
        plan.key = (plan.series.direction, plan.series.channel)
    return list(
        stored.values_list("pk", "last_import_id", "direction", "channel", "day", "values", "quality", "sources")
    )


def community_for_reference(reference: str) -> Community | None:
    return Community.objects.filter(vnb_reference=reference).first() if reference else None
