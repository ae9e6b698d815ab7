from metering.parsers import iwb
from tests.metering.parsers.builders import CONSUMER, only, sample, utc


def iwb_file(*rows: str, unit: str = "kW (Mittelwert 15 min)", point: str = CONSUMER) -> bytes:
    head = [
        f'"Messpunkt","{point}"',
        f'"Einheit","{unit}"',
        '"Zeitstempel","Leistung Bezug","Leistung Einspeisung"',
    ]
    return ("\r\n".join(head + list(rows)) + "\r\n").encode()


def test_sample_control_totals_after_kw_times_a_quarter_hour():
    parsed = iwb.parse(sample("iwb.csv"))
    assert (parsed.format, parsed.problems, parsed.warnings) == ("iwb", (), ())
    consumption, production = only(parsed, "consumption"), only(parsed, "production")
    assert consumption.metering_point == CONSUMER
    assert (consumption.total_mwh, production.total_mwh) == (5_864_000, 13_607_750)
    assert (consumption.intervals, production.intervals) == (96, 96)
    assert (consumption.start, consumption.end) == (utc("2026-06-14T22:00:00Z"), utc("2026-06-15T22:00:00Z"))
    assert consumption.values_mwh[0] == 43_000  # 0.172 kW for 15 minutes = 0.043 kWh
    assert parsed.meta == {"metering_point": CONSUMER, "unit": "kW (Mittelwert 15 min)"}


def test_kw_values_must_give_whole_mwh():
    parsed = iwb.parse(iwb_file('"15.06.2026 00:00","0.0001","0.000001"'))
    assert [(p.code, p.location, p.message) for p in parsed.problems] == [
        (
            "bad_number",
            "line 4, column 'Leistung Einspeisung'",
            "'0.000001' is too precise: kW × 0.25 h is not a whole number of mWh.",
        )
    ]
    assert only(parsed).values_mwh.tolist() == [25]


def test_a_kwh_unit_row_switches_the_conversion_off():
    assert only(iwb.parse(iwb_file('"15.06.2026 00:00","0.172","0"', unit="kWh"))).values_mwh.tolist() == [172_000]


def test_an_unknown_unit_is_a_problem_at_its_row():
    parsed = iwb.parse(iwb_file('"15.06.2026 00:00","0.172","0"', unit="MWh"))
    assert [(p.code, p.location, p.params) for p in parsed.problems] == [
        ("unsupported_unit", "line 2", {"value": "MWh"})
    ]
    assert parsed.series == ()


def test_a_bad_metering_point_row_is_a_problem():
    parsed = iwb.parse(iwb_file('"15.06.2026 00:00","0.172","0"', point="CH123"))
    assert [(p.code, p.location) for p in parsed.problems] == [("bad_metering_point_id", "line 1")]
