from metering.parsers import ckw
from tests.metering.parsers.builders import only, sample, utc


def test_sample_control_totals_and_bounds():
    parsed = ckw.parse(sample("ckw.csv"))
    assert (parsed.format, parsed.problems, parsed.warnings) == ("ckw", (), ())
    consumption, production = only(parsed, "consumption"), only(parsed, "production")
    assert consumption.metering_point is None
    assert (consumption.total_mwh, production.total_mwh) == (7_740_000, 44_678_000)
    assert (consumption.intervals, production.intervals) == (96, 96)
    assert (consumption.start, consumption.end) == (utc("2026-06-14T22:00:00Z"), utc("2026-06-15T22:00:00Z"))


def test_end_labels_name_the_interval_before_them():
    series = only(ckw.parse(sample("ckw.csv")))
    assert series.values_mwh[0] == 88_000  # "00:15;0,088" is 00:00–00:15 local, 22:00Z
    assert series.values_mwh[-1] == 90_000  # "24:00;0,090" is 23:45–24:00 local, 21:45Z


def test_windows_1252_header_is_read():
    data = "Datum;Zeit;Bezug [kWh];Rücklieferung [kWh]\r\n15.06.2026;00:15;0,001;0,002\r\n".encode("cp1252")
    parsed = ckw.parse(data)
    assert [(s.direction, s.total_mwh) for s in parsed.series] == [
        ("consumption", 1000),
        ("production", 2000),
    ]


def test_end_labels_across_the_spring_gap():
    rows = [
        "29.03.2026;01:45;0,001;0",
        "29.03.2026;02:00;0,002;0",
        "29.03.2026;03:15;0,003;0",
        "29.03.2026;02:30;0,004;0",
    ]
    data = ("Datum;Zeit;Bezug [kWh];Rücklieferung [kWh]\r\n" + "\r\n".join(rows)).encode("cp1252")
    parsed = ckw.parse(data)
    assert [(p.code, p.location, p.params["value"]) for p in parsed.problems] == [
        ("bad_timestamp", "line 5, column 'Zeit'", "02:30")
    ]
    series = only(parsed)
    assert series.start == utc("2026-03-29T00:30:00Z")  # "01:45" ends 01:30–01:45 CET
    assert series.values_mwh.tolist() == [1000, 2000, 3000]
