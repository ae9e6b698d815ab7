from metering.parsers import ewz
from tests.metering.parsers.builders import CONSUMER, only, sample, utc

HEADER = "\ufeffMesspunkt;Beginn;Ende;Bezug [kWh];Einspeisung [kWh]\r\n"


def test_sample_control_totals_and_bounds():
    parsed = ewz.parse(sample("ewz.csv"))
    assert (parsed.format, parsed.problems, parsed.warnings) == ("ewz", (), ())
    consumption, production = only(parsed, "consumption"), only(parsed, "production")
    assert consumption.metering_point == CONSUMER
    assert (consumption.total_mwh, production.total_mwh) == (6_365_000, 21_335_000)
    assert (consumption.intervals, production.intervals) == (96, 96)
    assert (consumption.start, consumption.end) == (utc("2026-06-14T22:00:00Z"), utc("2026-06-15T22:00:00Z"))


def test_the_stated_offset_decides_the_instant():
    rows = [
        f"{CONSUMER};2026-06-15T00:00:00+01:00;x;0.001;0",  # 23:00Z, whatever Swiss time says
        f"{CONSUMER};2026-06-14T23:15:00Z;x;0.002;0",
    ]
    series = only(ewz.parse((HEADER + "\r\n".join(rows) + "\r\n").encode()))
    assert series.start == utc("2026-06-14T23:00:00Z")
    assert series.values_mwh.tolist() == [1000, 2000]


def test_an_offset_that_leaves_the_quarter_hour_grid_is_a_problem():
    parsed = ewz.parse((HEADER + f"{CONSUMER};2026-06-15T00:00:00+00:10;x;0.001;0\r\n").encode())
    assert [(p.code, p.location, p.params["detail"]) for p in parsed.problems] == [
        ("bad_timestamp", "line 2, column 'Beginn'", "not on a quarter-hour in UTC")
    ]
