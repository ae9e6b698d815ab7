from metering.parsers.mapping import GenericMapping
from metering.parsers.tabular import parse_with_mapping
from tests.metering.parsers.builders import only, utc

END_LABELS = [f"{m // 60:02d}:{m % 60:02d}" for m in range(15, 1441, 15)]
REPEATED = ["02:15", "02:30", "02:45", "03:00"]
WIDE = GenericMapping(layout="wide", date_column="Datum", labels="end")


def test_start_labels():
    header = ";".join(["Datum"] + [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 1440, 15)])
    row = ";".join(["15.06.2026", "1.5"] + ["0"] * 95)
    mapping = GenericMapping(layout="wide", date_column="Datum", labels="start")
    series = only(parse_with_mapping(f"{header}\n{row}\n".encode(), mapping, format="generic"))
    assert (series.metering_point, series.values_mwh[0], series.intervals) == (None, 1_500_000, 96)
    assert series.start == utc("2026-06-14T22:00:00Z")


def test_a_layout_with_the_repeated_hour_holds_the_fall_back_day_in_column_order():
    """100 columns: the four labels of the repeated hour appear twice, empty on ordinary days."""
    labels = END_LABELS[:12] + REPEATED + END_LABELS[12:]
    header = ";".join(["Datum", *labels])
    fall = ";".join(["25.10.2026"] + [str(n) for n in range(100)])
    ordinary = ";".join(["26.10.2026"] + [str(n) for n in range(12)] + [""] * 4 + [str(n) for n in range(12, 96)])
    parsed = parse_with_mapping(f"{header}\n{fall}\n{ordinary}\n".encode(), WIDE, format="generic")
    assert (parsed.problems, parsed.warnings) == ((), ())
    series = only(parsed)
    assert (series.start, series.end) == (utc("2026-10-24T22:00:00Z"), utc("2026-10-26T23:00:00Z"))
    assert series.values_mwh[:100].tolist() == [n * 1_000_000 for n in range(100)]
    assert series.values_mwh[100:].tolist() == [n * 1_000_000 for n in range(96)]


def test_a_value_in_a_repeated_column_on_an_ordinary_day_is_a_duplicate():
    labels = END_LABELS[:12] + REPEATED + END_LABELS[12:]
    row = ";".join(["15.06.2026"] + ["1"] * 100)
    parsed = parse_with_mapping(f"{';'.join(['Datum', *labels])}\n{row}\n".encode(), WIDE, format="generic")
    assert [(p.code, p.location) for p in parsed.problems] == [
        ("duplicate_slot", "line 2, column '02:15'"),
        ("duplicate_slot", "line 2, column '02:30'"),
        ("duplicate_slot", "line 2, column '02:45'"),
        ("duplicate_slot", "line 2, column '03:00'"),
    ]


def test_a_label_off_the_quarter_hour_is_a_problem():
    header = "Datum;" + ";".join([*END_LABELS[:-1], "23:50"])
    parsed = parse_with_mapping(f"{header}\n15.06.2026{';1' * 96}\n".encode(), WIDE, format="generic")
    assert [(p.code, p.location) for p in parsed.problems] == [
        ("bad_timestamp", "line 1, column '23:50'"),
        ("wrong_day_length", "line 2"),  # the 95 usable columns cannot hold the day's 96 quarter-hours
    ]
    assert parsed.problems[0].params == {"value": "23:50", "detail": "not on a quarter-hour"}
