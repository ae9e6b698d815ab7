"""A late, older delivery: recorded, changes nothing where it loses, and says so naming both documents."""

import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from metering.daybuckets import from_bytes, sources_from_bytes
from metering.models import DaySeries, MeterImport
from metering.sdat_writer import SdatSeries, write_e66
from metering.services import meter_file_import
from tests.metering.conftest import CONSUMER

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 28, 22, 0, tzinfo=UTC)  # local 29.06.2026 00:00


def _file(document_id: str, created: datetime, wh: int, *, days: int = 5, first_day: int = 0, provisional=False):
    series = SdatSeries(
        CONSUMER, "consumption", "total", START + timedelta(days=first_day), [wh] * 96 * days, provisional
    )
    return write_e66([series], document_id=document_id, created=created)


def _import(name: str, data: bytes):
    return meter_file_import(data=data, filename=name, actor=None, door="command")


def _run(tmp_path, name: str, data: bytes, *extra) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    out = StringIO()
    call_command("import_meter_data", str(path), *extra, "--json", stdout=out)
    return json.loads(out.getvalue())["files"][0]


def _stored_wh() -> list[int]:
    rows = DaySeries.objects.filter(metering_point__mp_id=CONSUMER).order_by("day")
    return [int(from_bytes(row.values, row.quality)[0].sum()) // 1000 for row in rows]


CREATED_A = datetime(2026, 7, 3, 8, 0, tzinfo=UTC)  # 03.07.2026 10:00 in Zurich
CREATED_B = datetime(2026, 7, 5, 8, 0, tzinfo=UTC)


def test_an_older_document_imported_late_changes_nothing_and_names_both_documents(leg, tmp_path):
    newer = _run(tmp_path, "B.xml", _file("Y", CREATED_B, 200))
    before = list(DaySeries.objects.order_by("pk").values_list("pk", "values", "last_import_id", "updated_at"))
    older = _run(tmp_path, "A.xml", _file("X", CREATED_A, 100))
    message = (
        "Die Lieferung «A.xml» (Dokument X, erstellt 03.07.2026 10:00) ist älter als die gespeicherte «B.xml» "
        "(Dokument Y, erstellt 05.07.2026 10:00): 480 Werte wurden nicht übernommen."
    )
    assert (older["status"], older["slots_superseded"], older["errors"]) == ("superseded", 480, [])
    assert [(w["code"], w["location"], w["message"]) for w in older["warnings"]] == [
        ("superseded_older", "A.xml", message)
    ]
    assert [
        (s["slots_new"], s["slots_changed"], s["slots_unchanged"], s["slots_superseded"]) for s in older["series"]
    ] == [(0, 0, 0, 480)]
    assert list(DaySeries.objects.order_by("pk").values_list("pk", "values", "last_import_id", "updated_at")) == (
        before
    )
    record = MeterImport.objects.get(pk=older["import_id"])
    assert (record.status, record.get_status_display(), record.slots_superseded, record.slots_new) == (
        "superseded",
        "überholt",
        480,
        0,
    )
    assert (record.document_id, record.document_created_at) == ("X", CREATED_A)
    assert record.warnings[0]["message"] == message
    assert record.warnings[0]["params"]["stored_import_id"] == str(newer["import_id"])
    # The same file again is known: it would lose again.
    again = _run(tmp_path, "A.xml", _file("X", CREATED_A, 100))
    assert (again["status"], [w["message"] for w in again["warnings"]]) == (
        "unchanged",
        [f"Diese Datei wurde bereits mit Import #{record.pk} eingelesen und war überholt; nichts geändert."],
    )


def test_the_newest_of_several_winning_documents_is_named_with_how_many_more(leg):
    _import("B1.xml", _file("Y1", CREATED_B, 200, days=2))
    _import("B2.xml", _file("Y2", CREATED_B + timedelta(hours=5), 300, days=2, first_day=2))
    _import("B3.xml", _file("Y3", CREATED_B + timedelta(hours=1), 400, days=1, first_day=4))
    outcome = _import("A.xml", _file("X", CREATED_A, 100))
    assert [w.message for w in outcome.warnings] == [
        "Die Lieferung «A.xml» (Dokument X, erstellt 03.07.2026 10:00) ist älter als die gespeicherte «B2.xml» "
        "(Dokument Y2, erstellt 05.07.2026 15:00) und 2 weitere gespeicherte Lieferungen: 480 Werte wurden nicht "
        "übernommen."
    ]
    assert outcome.status == "superseded"


def test_a_partly_older_file_applies_the_slots_it_wins_and_reports_the_rest(leg):
    newer = _import("B.xml", _file("Y", CREATED_B, 200, days=3))
    outcome = _import("A.xml", _file("X", CREATED_A, 100))
    assert outcome.status == "applied"
    assert (outcome.meter_import.slots_new, outcome.meter_import.slots_superseded) == (192, 288)
    assert [w.message for w in outcome.warnings] == [
        "Die Lieferung «A.xml» (Dokument X, erstellt 03.07.2026 10:00) ist älter als die gespeicherte «B.xml» "
        "(Dokument Y, erstellt 05.07.2026 10:00): 288 Werte wurden nicht übernommen."
    ]
    # UTC days 28.06 (2 h), 29.06 … 03.07 (22 h): the first three local days are B's, the last two A's.
    assert _stored_wh() == [8 * 200, 96 * 200, 96 * 200, 88 * 200 + 8 * 100, 96 * 100, 88 * 100]
    row = DaySeries.objects.get(metering_point__mp_id=CONSUMER, day=date(2026, 7, 1))
    sources = sources_from_bytes(row.sources, row.quality).tolist()
    assert sources == [newer.meter_import.pk] * 88 + [outcome.meter_import.pk] * 8
    assert row.last_import_id == outcome.meter_import.pk


def test_an_equally_new_provisional_delivery_does_not_replace_measured_values(leg):
    _import("measured.xml", _file("M", CREATED_B, 200))
    outcome = _import("provisional.xml", _file("P", CREATED_B, 150, provisional=True))
    assert outcome.status == "superseded"
    assert [w.message for w in outcome.warnings] == [
        "480 von 480 Werten sind provisorisch (Condition 21) und werden als provisorisch gespeichert.",
        "Die Lieferung «provisional.xml» (Dokument P, erstellt 05.07.2026 10:00) ist gleich alt wie die gespeicherte "
        "«measured.xml» (Dokument M, erstellt 05.07.2026 10:00) mit gemessenen Werten: 480 provisorische oder "
        "Ersatzwerte wurden nicht übernommen.",
    ]
    assert sum(_stored_wh()) == 480 * 200


def test_a_newer_document_wins_even_if_it_arrived_first_and_a_dry_run_says_what_would_be_superseded(leg, tmp_path):
    _import("B.xml", _file("Y", CREATED_B, 200))
    dry = _run(tmp_path, "A.xml", _file("X", CREATED_A, 100), "--dry-run")
    assert (dry["status"], dry["slots_superseded"], dry["import_id"]) == ("dry-run", 480, None)
    assert dry["warnings"][0]["code"] == "superseded_older"
    newest = _import("C.xml", _file("Z", CREATED_B + timedelta(days=1), 300))
    assert (newest.status, newest.meter_import.slots_changed) == ("applied", 480)
    assert sum(_stored_wh()) == 480 * 300


def test_a_csv_export_is_timed_by_its_arrival(leg):
    from tests.metering.conftest import fixture_bytes

    csv = meter_file_import(
        data=fixture_bytes("ekz.csv"), filename="ekz.csv", actor=None, door="command", metering_point=CONSUMER
    )
    record = MeterImport.objects.get(pk=csv.meter_import.pk)
    assert (record.status, record.document_id, record.document_created_at) == ("applied", "", record.created_at)


def test_a_bad_creation_time_rejects_the_file_naming_the_element(leg, tmp_path):
    data = _file("X", CREATED_A, 100).replace(b"2026-07-03T08:00:00Z", b"03.07.2026 10:00")
    with pytest.raises(CommandError):
        _run(tmp_path, "A.xml", data)
    record = MeterImport.objects.get()
    assert record.status == "rejected"
    assert [(p["code"], p["location"], p["message"]) for p in record.problems] == [
        (
            "bad_creation",
            "InstanceDocument/Creation",
            "Der Erstellungszeitpunkt «03.07.2026 10:00» im Element InstanceDocument/Creation ist ungültig: erwartet "
            "wird ein Zeitpunkt mit Zeitzone, z. B. 2026-07-05T10:00:00Z. Er entscheidet, welche Lieferung einer "
            "Viertelstunde gilt.",
        )
    ]


def test_a_file_planned_before_another_import_was_applied_is_planned_again_under_lock(leg):
    from metering.services import _apply_analysis, meter_import_preview, meter_import_stage

    staged = meter_import_stage(data=_file("X", CREATED_A, 100), filename="A.xml", actor=None, door="command")
    analysis = meter_import_preview(meter_import=staged)  # planned while nothing is stored
    assert (analysis.count("new"), analysis.warnings) == (480, [])
    _import("B.xml", _file("Y", CREATED_B, 200))  # a newer document, applied meanwhile
    outcome = _apply_analysis(staged, analysis)
    staged.refresh_from_db()
    assert (outcome.status, staged.slots_new, staged.slots_superseded) == ("superseded", 0, 480)
    assert [w["code"] for w in staged.warnings] == ["superseded_older"]
    assert staged.series[0]["slots_superseded"] == 480
    assert sum(_stored_wh()) == 480 * 200
