from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings

from metering.parsers import ekz
from metering.parsers.base import Quality
from metering.parsers.localtime import local_day_bounds, quarter_hours_in_local_day
from metering.parsers.mapping import GenericMapping
from metering.parsers.tabular import parse_with_mapping
from tests.metering.parsers.builders import days_with_and_without_clock_changes, ekz_csv, only, sample, utc

ZURICH = ZoneInfo("Europe/Zurich")


def test_sample_control_totals_and_bounds():
    parsed = ekz.parse(sample("ekz.csv"))
    assert (parsed.format, parsed.problems, parsed.warnings) == ("ekz", (), ())
    series = only(parsed)
    assert series.metering_point is None  # EKZ exports name none; parsers.parse fills it in
    assert series.total_mwh == 11_478_000
    assert (series.intervals, len(series.values_mwh)) == (96, 96)
    assert (series.start, series.end) == (utc("2026-06-14T22:00:00Z"), utc("2026-06-15T22:00:00Z"))
    assert set(series.quality.tolist()) == {Quality.MEASURED}


def test_sample_ht_and_nt_totals():
    data = sample("ekz.csv")
    for column, total in (("HT [kWh]", 7_765_000), ("NT [kWh]", 3_713_000)):
        mapping = GenericMapping(header_row=1, timestamp_column="Zeitraum", consumption_columns=(column,))
        assert sum(s.total_mwh for s in parse_with_mapping(data, mapping, format="ekz").series) == total


def test_spring_forward_day_has_92_quarter_hours():
    parsed = ekz.parse(sample("ekz-dst-spring-2026-03-29.csv"))
    assert (parsed.problems, parsed.warnings) == ((), ())
    series = only(parsed)
    assert (series.intervals, len(series.values_mwh), series.total_mwh) == (92, 92, 11_255_000)
    assert (series.start, series.end) == (utc("2026-03-28T23:00:00Z"), utc("2026-03-29T22:00:00Z"))
    # 01:45 CET is followed directly by 03:00 CEST: consecutive UTC slots
    assert series.values_mwh[7:9].tolist() == [65_000, 31_000]


def test_a_time_in_the_skipped_spring_hour_is_a_problem():
    parsed = ekz.parse(
        ekz_csv(
            [
                ("29.03.2026 01:45", "", "0.065"),
                ("29.03.2026 02:30", "", "0.010"),
                ("29.03.2026 03:00", "", "0.031"),
            ]
        )
    )
    (problem,) = parsed.problems
    assert (problem.code, problem.location) == ("bad_timestamp", "line 4, column 'Zeitraum'")
    assert problem.params == {
        "value": "29.03.2026 02:30",
        "column": "Zeitraum",
        "detail": "this time does not exist in Swiss local time (the clocks skip 02:00–03:00)",
    }
    assert only(parsed).values_mwh.tolist() == [65_000, 31_000]


def test_ht_and_nt_in_one_row_are_added_and_an_empty_row_is_a_gap():
    parsed = ekz.parse(
        ekz_csv(
            [
                ("15.06.2026 00:00", "0.010", "0.005"),
                ("15.06.2026 00:15", "", ""),
                ("15.06.2026 00:30", "0.020", ""),
            ]
        )
    )
    series = only(parsed)
    assert series.values_mwh.tolist() == [15_000, 0, 20_000]
    assert series.quality.tolist() == [Quality.MEASURED, Quality.MISSING, Quality.MEASURED]
    assert [(w.code, w.location) for w in parsed.warnings] == [
        ("gap", "after line 3"),
        ("incomplete_day", "line 5"),
    ]


def test_bad_negative_and_misplaced_values_are_located_precisely():
    parsed = ekz.parse(
        ekz_csv(
            [
                ("15.06.2026 00:00", "", "0.0x5"),
                ("15.06.2026 00:15", "", "-0.010"),
                ("15.06.2026 00:40", "", "0.010"),
                ("15.06.2026 00:45", "", "0.0001234"),
            ]
        )
    )
    assert [(p.code, p.location, p.message) for p in parsed.problems] == [
        (
            "bad_timestamp",
            "line 5, column 'Zeitraum'",
            "'15.06.2026 00:40' is not a usable timestamp: not on a quarter-hour.",
        ),
        ("bad_number", "line 3, column 'NT [kWh]'", "'0.0x5' is not a number."),
        ("bad_number", "line 6, column 'NT [kWh]'", "'0.0001234' has more than 6 decimals."),
        (
            "negative_value",
            "line 4, column 'NT [kWh]'",
            "'-0.010' is negative; energy values must not be negative.",
        ),
    ]
    assert parsed.problems[1].params == {"value": "0.0x5", "column": "NT [kWh]"}


def test_a_repeated_time_outside_the_autumn_hour_is_a_duplicate():
    parsed = ekz.parse(
        ekz_csv(
            [
                ("15.06.2026 00:00", "", "0.010"),
                ("15.06.2026 00:15", "", "0.011"),
                ("15.06.2026 00:15", "", "0.012"),
            ]
        )
    )
    (problem,) = parsed.problems
    assert (problem.code, problem.location, problem.params["slot"], problem.params["first"]) == (
        "duplicate_slot",
        "line 5",
        "2026-06-14T22:15:00Z",
        "line 4",
    )


def test_fall_back_day_has_100_quarter_hours_in_order():
    rows = [
        (f"25.10.2026 {h:02d}:{m:02d}", "", f"0.{n:03d}")
        for n, (h, m) in enumerate(
            [(h, m) for h in range(3) for m in (0, 15, 30, 45)]
            + [(2, m) for m in (0, 15, 30, 45)]
            + [(h, m) for h in range(3, 24) for m in (0, 15, 30, 45)]
        )
    ]
    series = only(ekz.parse(ekz_csv(rows)))
    assert (len(series.values_mwh), series.intervals) == (100, 100)
    assert series.values_mwh.tolist() == [n * 1000 for n in range(8)] + [n * 1000 for n in (8, 9, 10, 11)] + [
        n * 1000 for n in (12, 13, 14, 15)
    ] + [n * 1000 for n in range(16, 100)]
    assert series.end == utc("2026-10-25T23:00:00Z")


def test_decimal_comma_and_a_missing_sep_line_are_accepted():
    data = b"Zeitraum;HT [kWh];NT [kWh]\r\n15.06.2026 00:00;;0,063\r\n15.06.2026 00:15;0,001;\r\n"
    assert only(ekz.parse(data)).values_mwh.tolist() == [63_000, 1_000]


def test_an_empty_file():
    parsed = ekz.parse(b"  \r\n")
    assert ([(p.code, p.location) for p in parsed.problems], parsed.series) == ([("empty_file", "file")], ())


def test_missing_columns_are_named():
    parsed = ekz.parse(b"sep=;\r\nZeitraum;HT [kWh]\r\n15.06.2026 00:00;0.1\r\n")
    assert [(p.code, p.location, p.params) for p in parsed.problems] == [
        ("missing_column", "line 2", {"column": "NT [kWh]"})
    ]
    assert parsed.series == ()


@settings(max_examples=60, deadline=None)
@given(days_with_and_without_clock_changes)
def test_a_whole_local_day_always_gives_92_96_or_100_slots(day):
    """Wall-clock times in order: the autumn hour comes twice, the spring hour not at all."""
    start, end = (datetime.fromtimestamp(60 * minutes, UTC) for minutes in local_day_bounds(day))
    moments = [start + timedelta(minutes=15 * n) for n in range(int((end - start).total_seconds()) // 900)]
    rows = [(f"{moment.astimezone(ZURICH):%d.%m.%Y %H:%M}", "", "0.001") for moment in moments]
    parsed = ekz.parse(ekz_csv(rows))
    series = only(parsed)
    assert (parsed.problems, parsed.warnings) == ((), ())
    assert len(series.values_mwh) == series.intervals == quarter_hours_in_local_day(day)
    assert len(series.values_mwh) in (92, 96, 100)
    assert (series.start, series.end) == (start, end)
