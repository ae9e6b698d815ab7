"""The import command is the contract: exact series, exact errors, nothing half-written."""

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from metering.daybuckets import from_bytes
from metering.models import AggregateDaySeries, DaySeries, MeterImport
from tests.metering.conftest import BKW_POINT, CONSUMER, FIXTURES, PRODUCER, fixture_bytes

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("import_meter_data", *[str(a) for a in args], "--json", stdout=out)
    return json.loads(out.getvalue())


def run_failing(*args) -> tuple[dict, CommandError]:
    from io import StringIO

    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_meter_data", *[str(a) for a in args], "--json", stdout=out)
    return json.loads(out.getvalue()), error.value


def series_by_key(document: dict) -> dict:
    return {(s["metering_point"], s["direction"], s["channel"]): s for s in document["files"][0]["series"]}


def test_sdat_leg_file_is_stored_with_its_three_channels(leg):
    document = run(FIXTURES / "sdat-e66-v16-leg-2mp.xml")
    assert document["files"][0]["format"] == "sdat-e66"
    assert document["files"][0]["status"] == "applied"
    assert document["files"][0]["errors"] == []
    series = series_by_key(document)
    assert {key: s["kwh"] for key, s in series.items()} == {
        (CONSUMER, "consumption", "total"): "18.359",
        (CONSUMER, "consumption", "grid"): "11.333",
        (CONSUMER, "consumption", "leg"): "7.026",
        (PRODUCER, "production", "total"): "42.191",
        (PRODUCER, "production", "grid"): "35.165",
        (PRODUCER, "production", "leg"): "7.026",
    }
    first = series[(CONSUMER, "consumption", "total")]
    assert (first["start"], first["end"], first["intervals"]) == ("2026-06-14T22:00:00Z", "2026-06-15T22:00:00Z", 96)
    assert DaySeries.objects.count() == 12  # six series over two UTC days
    row = DaySeries.objects.get(metering_point__mp_id=CONSUMER, channel="leg", day=date(2026, 6, 15))
    _values, quality = from_bytes(row.values, row.quality)
    assert int(quality[:88].min()) == 2  # Condition 21: provisional
    meter_import = MeterImport.objects.get()
    assert (meter_import.status, meter_import.door, meter_import.slots_new) == ("applied", "command", 576)
    assert meter_import.utility == leg.utility
    assert meter_import.file.read() == fixture_bytes("sdat-e66-v16-leg-2mp.xml")


def test_the_same_file_again_changes_nothing_and_says_so(leg):
    run(FIXTURES / "sdat-e66-v16-leg-2mp.xml")
    before = list(DaySeries.objects.values_list("id", "updated_at", "last_import_id"))
    document = run(FIXTURES / "sdat-e66-v16-leg-2mp.xml")
    first_import = MeterImport.objects.filter(status="applied").get()
    assert document["files"][0]["status"] == "unchanged"
    assert document["files"][0]["warnings"][0]["message"] == (
        f"Diese Datei wurde bereits mit Import #{first_import.pk} übernommen; nichts geändert."
    )
    assert list(DaySeries.objects.values_list("id", "updated_at", "last_import_id")) == before
    assert MeterImport.objects.filter(status="unchanged").count() == 1


def test_a_redelivery_overwrites_the_slots_it_carries(leg, tmp_path):
    run(FIXTURES / "sdat-e66-v12-basic.xml")
    original = fixture_bytes("sdat-e66-v12-basic.xml").decode()
    corrected = original.replace("<rsm:Volume>0.041</rsm:Volume>", "<rsm:Volume>0.046</rsm:Volume>", 1)
    assert corrected != original
    path = tmp_path / "redelivery.xml"
    path.write_text(corrected)
    document = run(path)
    total = series_by_key(document)[(CONSUMER, "consumption", "total")]
    assert (total["slots_new"], total["slots_changed"], total["slots_unchanged"], total["kwh"]) == (0, 1, 95, "14.914")
    row = DaySeries.objects.get(metering_point__mp_id=CONSUMER, channel="total", day=date(2026, 6, 14))
    assert from_bytes(row.values, row.quality)[0][88] == 46_000  # mWh: the latest delivery wins
    assert MeterImport.objects.get(pk=row.last_import_id).filename == "redelivery.xml"
    untouched = DaySeries.objects.get(metering_point__mp_id=CONSUMER, channel="total", day=date(2026, 6, 15))
    assert MeterImport.objects.get(pk=untouched.last_import_id).filename == "sdat-e66-v12-basic.xml"


def test_split_channels_that_do_not_add_up_are_rejected(leg, tmp_path):
    broken = (
        fixture_bytes("sdat-e66-v16-leg-2mp.xml")
        .decode()
        .replace("<rsm:Volume>0.065</rsm:Volume>", "<rsm:Volume>0.070</rsm:Volume>", 1)
    )
    path = tmp_path / "broken.xml"
    path.write_text(broken)
    document, _ = run_failing(path)
    error = document["files"][0]["errors"][0]
    assert (error["code"], error["location"]) == (
        "split_mismatch",
        f"{CONSUMER} consumption, quarter-hour 2026-06-14T22:00:00Z",
    )
    assert error["message"] == (
        "Total 0.070 kWh ≠ LEG-Anteil 0.000 kWh + Netz-Anteil 0.065 kWh in der Viertelstunde "
        "2026-06-14T22:00:00Z (Abweichung über 1 Wh)."
    )
    assert DaySeries.objects.count() == 0


def test_unknown_metering_point_rejects_the_file_and_stores_nothing(db):
    document, error = run_failing(FIXTURES / "sdat-e66-v16-leg-2mp.xml")
    errors = document["files"][0]["errors"]
    assert [(e["code"], e["location"]) for e in errors] == [
        ("unknown_metering_point", CONSUMER),
        ("unknown_metering_point", PRODUCER),
    ]
    assert errors[0]["message"] == (f"Der Messpunkt {CONSUMER} ist nicht erfasst. Mitarbeitende können ihn anlegen.")
    assert str(error) == "abgelehnt, nichts gespeichert: sdat-e66-v16-leg-2mp.xml"
    assert DaySeries.objects.count() == 0
    assert MeterImport.objects.get().status == "rejected"


def test_dry_run_stores_and_records_nothing(leg):
    document = run(FIXTURES / "bkw.csv", "--dry-run")
    assert document["files"][0]["status"] == "dry-run"
    assert series_by_key(document)[(BKW_POINT, "consumption", "total")]["kwh"] == "7.654"
    assert (DaySeries.objects.count(), MeterImport.objects.count()) == (0, 0)


def test_one_bad_file_does_not_stop_the_good_one(leg, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(fixture_bytes("bkw.csv").replace(b";0.084;", b";-0.084;", 1))
    document, _ = run_failing(FIXTURES / "sdat-e66-v12-basic.xml", bad)
    assert [f["status"] for f in document["files"]] == ["applied", "rejected"]
    assert document["files"][1]["errors"][0]["code"] == "negative_value"
    assert set(DaySeries.objects.values_list("metering_point__mp_id", flat=True)) == {CONSUMER}


def test_ekz_needs_the_metering_point(leg):
    document, _ = run_failing(FIXTURES / "ekz.csv")
    assert document["files"][0]["errors"][0]["code"] == "metering_point_required"
    document = run(FIXTURES / "ekz.csv", "--metering-point", CONSUMER)
    series = document["files"][0]["series"]
    assert [(s["metering_point"], s["kwh"], s["intervals"]) for s in series] == [(CONSUMER, "11.478", 96)]


@pytest.mark.parametrize(
    ("name", "format_", "consumption", "production", "intervals"),
    [
        ("bkw.csv", "bkw", "7.654", "28.792", 96),
        ("bkw-dst-fallback-2026-10-25.csv", "bkw", "9.573", "8.004", 100),
        ("ewz.csv", "ewz", "6.365", "21.335", 96),
        ("ckw.csv", "ckw", "7.740", "44.678", 96),
        ("iwb.csv", "iwb", "5.864", "13.60775", 96),
        ("aew.csv", "aew", "6.567", "33.065", 96),
    ],
)
def test_every_utility_export_lands_with_its_control_totals(leg, name, format_, consumption, production, intervals):
    extra = ["--metering-point", CONSUMER] if name == "ckw.csv" else []
    document = run(FIXTURES / name, *extra)
    file = document["files"][0]
    assert (file["format"], file["status"]) == (format_, "applied")
    by_direction = {s["direction"]: s for s in file["series"]}
    assert by_direction["consumption"]["kwh"] == consumption
    assert by_direction["production"]["kwh"] == production
    assert by_direction["consumption"]["intervals"] == intervals


def test_e31_aggregates_are_kept_for_cross_checks(leg):
    document = run(FIXTURES / "sdat-e31-v13-community.xml")
    assert document["files"][0]["format"] == "sdat-e31"
    kwh = sorted(s["kwh"] for s in document["files"][0]["series"])
    assert "18.359" in kwh and "7.026" in kwh
    assert AggregateDaySeries.objects.filter(community=leg).count() == AggregateDaySeries.objects.count() > 0


def test_metering_point_outside_any_community_is_stored_with_a_note(leg):
    from communities.models import Membership

    Membership.objects.filter(metering_point__mp_id=CONSUMER).delete()
    document = run(FIXTURES / "sdat-e66-v12-basic.xml")
    assert document["files"][0]["status"] == "applied"
    assert document["files"][0]["warnings"][0]["code"] == "not_in_community"
    assert DaySeries.objects.count() == 2


def test_missing_file_is_a_clear_error(db):
    with pytest.raises(CommandError, match=r"nope\.xml: diese Datei gibt es nicht\."):
        call_command("import_meter_data", "nope.xml")


def test_a_file_delivered_twice_is_kept_once(leg, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    run(FIXTURES / "sdat-e66-v12-basic.xml")
    run(FIXTURES / "sdat-e66-v12-basic.xml")
    first, second = MeterImport.objects.order_by("pk")
    assert (first.status, second.status) == ("applied", "unchanged")
    assert second.file.name == first.file.name
    assert [path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*.xml")] == [first.file.name]
    assert first.file.read() == fixture_bytes("sdat-e66-v12-basic.xml")


def test_the_text_report_is_german(leg, tmp_path):
    from io import StringIO

    bad = tmp_path / "bad.csv"
    bad.write_bytes(fixture_bytes("bkw.csv").replace(b";0.084;", b";-0.084;", 1))
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_meter_data", str(FIXTURES / "bkw.csv"), str(bad), "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "bkw.csv: Probelauf, nichts gespeichert (bkw)"
    assert lines[1].startswith(f"  {BKW_POINT} Bezug/Total ")
    assert lines[1].endswith(": 96 Werte, 7.654 kWh (neu 96, geändert 0, gleich 0, überholt 0)")
    assert "bad.csv: abgelehnt (bkw)" in lines
    assert next(line for line in lines if line.startswith("  Fehler ")).endswith(
        ": Negativer Wert -0.084: Energiewerte dürfen nicht negativ sein."
    )
    assert str(error.value) == "abgelehnt, nichts gespeichert: bad.csv"


def test_the_text_report_shows_local_times_and_swiss_figures(leg):
    from io import StringIO

    out = StringIO()
    call_command("import_meter_data", str(FIXTURES / "sdat-e66-v16-leg-2mp.xml"), stdout=out)
    lines = out.getvalue().splitlines()
    assert (
        f"  {CONSUMER} Bezug/Total 15.06.2026 00:00 – 16.06.2026 00:00: 96 Werte, 18.359 kWh "
        "(neu 96, geändert 0, gleich 0, überholt 0)"
    ) in lines
    assert not any("T22:00:00Z" in line for line in lines)  # no UTC ISO times for people
