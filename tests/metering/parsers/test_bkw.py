from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from metering.parsers import bkw
from metering.parsers.base import Quality
from metering.parsers.localtime import quarter_hours_in_local_day
from tests.metering.parsers.builders import (
    BKW_POINT,
    bkw_csv,
    codes,
    days_with_and_without_clock_changes,
    kwh,
    only,
    sample,
    utc,
)

ZURICH = ZoneInfo("Europe/Zurich")
OTHER_POINT = "CH10222012345000000000000000B0816"


def test_sample_control_totals_and_bounds():
    parsed = bkw.parse(sample("bkw.csv"))
    assert (parsed.format, parsed.problems, parsed.warnings) == ("bkw", (), ())
    consumption, production = only(parsed, "consumption"), only(parsed, "production")
    assert (consumption.metering_point, production.metering_point) == (BKW_POINT, BKW_POINT)
    assert (consumption.total_mwh, production.total_mwh) == (7_654_000, 28_792_000)
    assert (consumption.intervals, production.intervals) == (96, 96)
    assert (consumption.start, consumption.end) == (utc("2026-06-14T22:00:00Z"), utc("2026-06-15T22:00:00Z"))
    assert set(consumption.quality.tolist()) == {Quality.MEASURED}


def test_fall_back_sample_has_100_slots_first_repeat_summer_then_winter():
    parsed = bkw.parse(sample("bkw-dst-fallback-2026-10-25.csv"))
    assert (parsed.problems, parsed.warnings) == ((), ())
    consumption, production = only(parsed, "consumption"), only(parsed, "production")
    assert (len(consumption.values_mwh), consumption.intervals) == (100, 100)
    assert (consumption.total_mwh, production.total_mwh) == (9_573_000, 8_004_000)
    assert (consumption.start, consumption.end) == (utc("2026-10-24T22:00:00Z"), utc("2026-10-25T23:00:00Z"))
    # line 10 "02:00" (0.028) is 00:00Z (CEST), line 14 "02:00" again (0.066) is 01:00Z (CET)
    assert consumption.values_mwh[8] == 28_000
    assert consumption.values_mwh[12] == 66_000


def test_a_third_02_00_on_the_fall_back_day_is_a_duplicate():
    rows = [(BKW_POINT, "25.10.2026 02:00:00", f"0.00{n}", "0.000", "W") for n in range(3)]
    parsed = bkw.parse(bkw_csv(rows))
    (problem,) = parsed.problems
    assert (problem.code, problem.location, problem.params["slot"], problem.params["first"]) == (
        "duplicate_slot",
        "line 4",
        "2026-10-25T01:00:00Z",
        "line 3",
    )


def test_quality_marks_other_than_w_are_estimated():
    parsed = bkw.parse(
        bkw_csv(
            [
                (BKW_POINT, "15.6.2026 00:00:00", "0.1", "0", "W"),
                (BKW_POINT, "15.6.2026 00:15:00", "0.2", "0", "E"),
            ]
        )
    )
    assert only(parsed).quality.tolist() == [Quality.MEASURED, Quality.ESTIMATED]
    assert [(w.code, w.location) for w in parsed.warnings if w.code == "estimated"] == [
        ("estimated", "line 3"),
        ("estimated", "line 3"),
    ]


def test_several_metering_points_in_one_file_stay_apart_in_file_order():
    rows = [
        (point, f"15.6.2026 00:{m:02d}:00", "0.001", "0.002", "W")
        for point in (OTHER_POINT, BKW_POINT)
        for m in (0, 15)
    ]
    parsed = bkw.parse(bkw_csv(rows))
    assert [(s.metering_point, s.direction, s.total_mwh) for s in parsed.series] == [
        (OTHER_POINT, "consumption", 2000),
        (OTHER_POINT, "production", 4000),
        (BKW_POINT, "consumption", 2000),
        (BKW_POINT, "production", 4000),
    ]


def test_a_malformed_metering_point_is_a_problem_at_its_first_line():
    parsed = bkw.parse(bkw_csv([("CH1022201234500000B0815", "15.6.2026 00:00:00", "0.1", "0", "W")]))
    assert [(p.code, p.location, p.params) for p in parsed.problems] == [
        ("bad_metering_point_id", "line 2, column 'Messpunkt'", {"value": "CH1022201234500000B0815"})
    ]


def test_a_missing_quality_column_is_named():
    data = b"Messpunkt;Datum;Strombezug [kWh];Stromeinspeisung [kWh]\r\n"
    parsed = bkw.parse(data + f"{BKW_POINT};15.6.2026 00:00:00;0.1;0\r\n".encode())
    assert [(p.code, p.location, p.params) for p in parsed.problems] == [
        ("missing_column", "line 1", {"column": "Messdatengüte"})
    ]


def local_stamp(moment: datetime) -> str:
    local = moment.astimezone(ZURICH)
    return f"{local.day}.{local.month}.{local.year} {local:%H:%M:%S}"


@settings(max_examples=40, deadline=None)
@given(days_with_and_without_clock_changes, st.integers(1, 3), st.data())
def test_any_bkw_export_round_trips_to_the_same_mwh(first, days, data):
    start = datetime(first.year, first.month, first.day, tzinfo=ZURICH).astimezone(UTC)
    slots = sum(quarter_hours_in_local_day(first + timedelta(days=n)) for n in range(days))
    wh = data.draw(st.lists(st.integers(0, 99_999_999), min_size=slots, max_size=slots))
    rows = [
        (BKW_POINT, local_stamp(start + timedelta(minutes=15 * n)), text, "0.000", "W")
        for n, text in enumerate(kwh(wh))
    ]
    parsed = bkw.parse(bkw_csv(rows))
    assert (parsed.problems, codes(parsed.warnings)) == ((), [])
    series = only(parsed)
    assert series.start == start
    assert series.values_mwh.tolist() == [value * 1000 for value in wh]


def test_a_utf16_export_reads_the_same():
    data = sample("bkw.csv").decode("utf-8-sig").encode("utf-16")
    parsed = bkw.parse(data)
    assert [(s.direction, s.total_mwh) for s in parsed.series] == [
        ("consumption", 7_654_000),
        ("production", 28_792_000),
    ]
