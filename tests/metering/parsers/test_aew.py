from metering.parsers import aew
from metering.parsers.base import Quality
from tests.metering.parsers.builders import CONSUMER, codes, only, sample, utc

HEADER = ";".join(aew.HEADER)


def aew_file(*rows: tuple[str, str, str, list[str]]) -> bytes:
    lines = [HEADER] + [";".join([CONSUMER, day, direction, unit, *values]) for day, direction, unit, values in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_sample_control_totals_and_bounds():
    parsed = aew.parse(sample("aew.csv"))
    assert (parsed.format, parsed.problems, parsed.warnings) == ("aew", (), ())
    consumption, production = only(parsed, "consumption"), only(parsed, "production")
    assert consumption.metering_point == CONSUMER
    assert (consumption.total_mwh, production.total_mwh) == (6_567_000, 33_065_000)
    assert (consumption.intervals, production.intervals) == (96, 96)
    assert (consumption.start, consumption.end) == (utc("2026-06-14T22:00:00Z"), utc("2026-06-15T22:00:00Z"))
    assert consumption.values_mwh[:2].tolist() == [57_000, 28_000]  # columns 00:15 and 00:30


def test_kw_rows_are_converted():
    row = ("15.06.2026", "Bezug", "kW", ["0,400"] + [""] * 95)
    parsed = aew.parse(aew_file(row))
    assert only(parsed).values_mwh.tolist() == [100_000]
    assert only(parsed).quality.tolist() == [Quality.MEASURED]


def test_spring_day_values_in_skipped_columns_are_problems():
    values = ["0,001"] * 96
    parsed = aew.parse(aew_file(("29.03.2026", "Bezug", "kWh", values)))
    problems = [(p.code, p.location) for p in parsed.problems]
    assert problems[:3] == [
        ("bad_timestamp", "line 2, column '02:15'"),
        ("bad_timestamp", "line 2, column '02:30'"),
        ("bad_timestamp", "line 2, column '02:45'"),
    ]
    # "02:00" and "03:00" both end 01:45–02:00 CET when the clock jumps; filling both repeats that slot
    assert problems[3] == ("duplicate_slot", "line 2, column '03:00'")
    assert len(only(parsed).values_mwh) == 92


def test_a_96_column_row_cannot_hold_the_fall_back_day():
    parsed = aew.parse(aew_file(("25.10.2026", "Bezug", "kWh", ["0,001"] * 96)))
    assert [(p.code, p.location, p.params) for p in parsed.problems] == [
        ("wrong_day_length", "line 2", {"day": "2026-10-25", "found": "96", "expected": "100"})
    ]


def test_unknown_direction_marks_are_problems():
    parsed = aew.parse(aew_file(("15.06.2026", "Blindenergie", "kWh", ["0,001"] * 96)))
    assert [(p.code, p.location, p.params) for p in parsed.problems] == [
        ("unknown_direction", "line 2, column 'Richtung'", {"value": "Blindenergie"})
    ]
    assert codes(parsed.warnings) == []
