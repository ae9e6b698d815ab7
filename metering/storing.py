"""Storing an analysed file inside the import's transaction: the day rows it changes and its plausibility notes,
after the series it touches are locked against other imports."""

from communities.models import Community, MeteringPoint
from metering.analysis import Analysis, SeriesPlan, aggregate_reference, community_for_reference
from metering.daybuckets import DayRowBatch
from metering.models import AggregateDaySeries, DaySeries, MeterImport, PlausibilityNote
from metering.upsert import upsert_day_rows, upsert_rows
from openleg.periods import utc_now


def lock_series(analysis: Analysis) -> None:
    """Imports of the same metering points (or E31 community) take turns from the check of what is stored to the
    write: the merge of one must not be planned against rows that another is about to change."""
    if analysis.is_aggregate:
        community = community_for_reference(aggregate_reference(analysis.parsed))
        if community is not None:
            list(Community.objects.select_for_update().filter(pk=community.pk).values_list("pk", flat=True))
        return
    points = sorted({plan.metering_point_pk for plan in analysis.plans if plan.metering_point_pk})
    list(MeteringPoint.objects.select_for_update().filter(pk__in=points).order_by("pk").values_list("pk", flat=True))


_TRAILING_FIELDS = ("last_import", "updated_at")


def write_rows(analysis: Analysis, meter_import: MeterImport) -> None:
    trailing = (meter_import.pk, utc_now())
    merged = [plan for plan in analysis.plans if plan.merge is not None]
    none_stored = not any(plan.merge.stored.any() for plan in merged)
    if analysis.is_aggregate:
        reference = aggregate_reference(analysis.parsed)
        community = community_for_reference(reference)
        upsert_day_rows(
            AggregateDaySeries,
            leading=("community_ref", "community", "direction", "channel"),
            trailing=_TRAILING_FIELDS,
            key=("community_ref", "direction", "channel", "day"),
            batches=[
                _changed_rows(plan, (reference, community.pk if community else None), trailing) for plan in merged
            ],
            none_stored=none_stored,
        )
        return
    upsert_day_rows(
        DaySeries,
        leading=("metering_point", "direction", "channel"),
        trailing=_TRAILING_FIELDS,
        key=("metering_point", "direction", "channel", "day"),
        batches=[_changed_rows(plan, (plan.metering_point_pk,), trailing) for plan in merged],
        none_stored=none_stored,
    )


_NOTE_FIELDS = (
    "meter_import",
    "metering_point",
    "direction",
    "channel",
    "day",
    "kind",
    "count",
    "largest_mwh",
    "limit_mwh",
)


def keep_notes(analysis: Analysis, meter_import: MeterImport) -> None:
    """Written like day rows (COPY on PostgreSQL): a file of nonsense can carry a note per point, day and kind."""
    upsert_rows(
        PlausibilityNote,
        fields=_NOTE_FIELDS,
        key=("meter_import", "metering_point", "direction", "channel", "day", "kind"),
        rows=[
            (
                meter_import.pk,
                note.metering_point_pk,
                note.direction,
                note.channel,
                note.note.day,
                note.note.kind,
                note.note.count,
                note.note.largest_mwh,
                note.note.limit_mwh,
            )
            for note in analysis.notes
        ],
    )


def _changed_rows(plan: SeriesPlan, series_ref: tuple, trailing: tuple) -> DayRowBatch:
    """Only rows the delivery changes are written: a row it loses everywhere stays as it was.

    A newer document that delivers the same values still becomes their source, so that a document between the two
    arriving later cannot win over it; such a row is written, with this import as its ``last_import``.
    """
    leading = (*series_ref, plan.series.direction, plan.series.channel)
    merge = plan.merge
    written = merge.written
    ordinals = plan.rows.first_day.toordinal() + plan.rows.offsets
    sources = merge.sources(trailing[0])
    if written.all():  # the usual case: no copy
        return DayRowBatch(leading, ordinals, merge.values, merge.quality, sources, trailing)
    return DayRowBatch(
        leading, ordinals[written], merge.values[written], merge.quality[written], sources[written], trailing
    )
