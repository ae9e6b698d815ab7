"""Plausibility notes on import: stored per point, direction, local day and kind, shown as warnings, listed by
billing while their import still supplies that day."""

from datetime import UTC, date, datetime, timedelta

import pytest

from billing.gathering import gather
from communities.models import MeteringPoint
from metering.models import MeterImport, PlausibilityNote
from metering.sdat_writer import SdatSeries, write_e66
from metering.selectors import plausibility_notes
from metering.services import meter_file_import
from openleg.periods import local_month
from tests.metering.conftest import CONSUMER, PRODUCER

pytestmark = pytest.mark.django_db

DAY_START = datetime(2026, 6, 28, 22, 0, tzinfo=UTC)  # 29.06.2026 00:00 in Zurich
CREATED = datetime(2026, 6, 30, 4, 0, tzinfo=UTC)


def _production_day(*, night_wh: int, peak_wh: int) -> list[int]:
    values = [0] * 96
    values[0:4] = [night_wh, night_wh, night_wh // 2, night_wh]  # 00:00 to 01:00 local
    values[48] = peak_wh  # 12:00 local
    return values


def _import(name: str, series: list[SdatSeries], created: datetime = CREATED):
    return meter_file_import(
        data=write_e66(series, document_id=name, created=created), filename=f"{name}.xml", actor=None, door="command"
    )


NIGHT = (
    f"Messpunkt {PRODUCER}, Einspeisung am 29.06.2026: Einspeisung bei Nacht "
    "(Viertelstunden: 4, höchster Wert 0.004 kWh, Grenze 0.001 kWh)."
)
CAPACITY = (
    f"Messpunkt {PRODUCER}, Einspeisung am 29.06.2026: mehr Energie, als die Anschlussleistung zulässt "
    "(Viertelstunden: 1, höchster Wert 7.000 kWh, Grenze 6.250 kWh)."
)


def _notes_of(outcome) -> list[tuple]:
    return list(
        PlausibilityNote.objects.filter(meter_import=outcome.meter_import)
        .order_by("kind")
        .values_list(
            "metering_point__mp_id", "direction", "channel", "day", "kind", "count", "largest_mwh", "limit_mwh"
        )
    )


def test_night_production_and_a_value_above_the_capacity_are_noted_not_rejected(leg):
    series = SdatSeries(PRODUCER, "production", "total", DAY_START, _production_day(night_wh=4, peak_wh=7_000))
    outcome = _import("P1", [series])
    assert (outcome.status, outcome.errors) == ("applied", [])
    assert [(w.code, w.message) for w in outcome.warnings] == [
        ("plausibility_capacity", CAPACITY),
        ("plausibility_night", NIGHT),
    ]
    assert _notes_of(outcome) == [
        (PRODUCER, "production", "total", date(2026, 6, 29), "capacity", 1, 7_000_000, 6_250_000),
        (PRODUCER, "production", "total", date(2026, 6, 29), "night", 4, 4_000, 1_000),
    ]
    june = local_month(2026, 6)
    point = outcome.meter_import.plausibility_notes.first().metering_point_id
    consumer = MeteringPoint.objects.get(mp_id=CONSUMER).pk
    assert plausibility_notes(metering_point_ids=[consumer], period=june) == []
    assert [(n.kind, n.message) for n in plausibility_notes(metering_point_ids=[point], period=june)] == [
        ("capacity", CAPACITY),
        ("night", NIGHT),
    ]
    issues = [i for i in gather(leg, 2026, 6).issues if i.code == "plausibility"]
    producer = leg.participants.get(role="producer")
    assert [(i.message, i.blocking, i.participant_id) for i in issues] == [
        (CAPACITY, False, producer.pk),
        (NIGHT, False, producer.pk),
    ]
    assert [i for i in gather(leg, 2026, 7).issues if i.code == "plausibility"] == []


def test_a_newer_delivery_of_the_day_replaces_the_notes_and_a_superseded_one_adds_none(leg):
    first = _import(
        "P1", [SdatSeries(PRODUCER, "production", "total", DAY_START, _production_day(night_wh=4, peak_wh=7_000))]
    )
    corrected = _import(
        "P2",
        [SdatSeries(PRODUCER, "production", "total", DAY_START, _production_day(night_wh=0, peak_wh=8_000))],
        CREATED + timedelta(days=1),
    )
    late = _import(
        "P0",
        [SdatSeries(PRODUCER, "production", "total", DAY_START, _production_day(night_wh=9, peak_wh=100))],
        CREATED - timedelta(days=1),
    )
    assert (first.status, corrected.status, late.status) == ("applied", "applied", "superseded")
    assert [n[4] for n in _notes_of(late)] == ["night"]  # kept with the import's history
    point = PlausibilityNote.objects.filter(meter_import=first.meter_import).first().metering_point_id
    notes = plausibility_notes(metering_point_ids=[point], period=local_month(2026, 6))
    assert [(n.kind, n.count, n.largest_mwh) for n in notes] == [("capacity", 1, 8_000_000)]


def test_a_value_many_times_the_usual_level_is_noted_once_a_week_of_values_is_there(leg):
    week = [SdatSeries(CONSUMER, "consumption", "total", DAY_START - timedelta(days=7), [200] * 96 * 7)]
    first = _import("C1", week)
    assert [w.code for w in first.warnings] == []  # exactly a week, and nothing unusual in it
    values = [200] * 96
    values[40], values[41] = 5_000, 2_000  # 10:00 local: 25 times the usual 200 Wh; 10 times is the limit
    outcome = _import("C2", [SdatSeries(CONSUMER, "consumption", "total", DAY_START, values)])
    assert [w.message for w in outcome.warnings] == [
        f"Messpunkt {CONSUMER}, Bezug am 29.06.2026: ein Vielfaches des üblichen Werts "
        "(Viertelstunden: 1, höchster Wert 5.000 kWh, Grenze 2.000 kWh)."
    ]
    assert [n[4:] for n in _notes_of(outcome)] == [("spike", 1, 5_000_000, 2_000_000)]


def test_too_few_days_for_a_usual_level_and_points_without_capacity_give_no_notes(leg):
    MeteringPoint.objects.filter(mp_id=PRODUCER).update(connection_capacity_kw=0)
    values = [200] * 96
    values[40] = 6_000  # 30 times the rest of the day, but below the capacity of 6,250 Wh
    outcome = _import(
        "C1",
        [
            SdatSeries(CONSUMER, "consumption", "total", DAY_START, values),
            SdatSeries(PRODUCER, "production", "total", DAY_START, _production_day(night_wh=0, peak_wh=9_000)),
        ],
    )
    assert (outcome.status, outcome.warnings, PlausibilityNote.objects.count()) == ("applied", [], 0)
    assert MeterImport.objects.get().slots_new == 192
