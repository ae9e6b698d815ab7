import pytest

from metering.parsers import aew, ckw, ewz, generic, iwb
from metering.parsers.generic import SAMPLE_CHARS, SAMPLE_LINES, _sample, sniff
from metering.parsers.mapping import GenericMapping
from metering.parsers.table import first_lines
from tests.metering.parsers.builders import codes, only, sample


@pytest.mark.parametrize("layout", [ewz, ckw, iwb, aew])
def test_the_sniffer_proposes_the_dedicated_mapping_and_parses_to_the_same_values(layout):
    data = sample(f"{layout.FORMAT}.csv")
    mapping = generic.sniff(data)
    assert mapping == layout.MAPPING
    guessed, dedicated = generic.parse(data, mapping=mapping), layout.parse(data)
    assert guessed.format == "generic" and guessed.problems == ()
    assert [(s.metering_point, s.direction, s.start, s.total_mwh) for s in guessed.series] == [
        (s.metering_point, s.direction, s.start, s.total_mwh) for s in dedicated.series
    ]
    for mine, theirs in zip(guessed.series, dedicated.series, strict=True):
        assert mine.values_mwh.tolist() == theirs.values_mwh.tolist()


def test_a_comma_separated_export_with_iso_times_and_power():
    data = (
        b"Zaehler export\r\n\r\nVon,Bis,Leistung Bezug [kW],Leistung Produktion [kW]\r\n"
        b"2026-06-15T00:00:00+02:00,2026-06-15T00:15:00+02:00,0.4,0\r\n"
        b"2026-06-15T00:15:00+02:00,2026-06-15T00:30:00+02:00,0.8,0.1\r\n"
    )
    mapping = generic.sniff(data)
    assert mapping == GenericMapping(
        delimiter=",",
        header_row=2,
        decimal_comma=False,
        timestamp_column="Von",
        labels="start",
        unit="kW",
        consumption_columns=("Leistung Bezug [kW]",),
        production_columns=("Leistung Produktion [kW]",),
    )
    parsed = generic.parse(data, mapping=mapping)
    assert [(s.direction, s.values_mwh.tolist()) for s in parsed.series] == [
        ("consumption", [100_000, 200_000]),
        ("production", [0, 25_000]),
    ]


def test_end_labels_are_recognised_from_the_first_time_of_a_day():
    data = b"Zeitpunkt;Verbrauch\n15.06.2026 00:15;1,0\n15.06.2026 00:30;2,0\n"
    mapping = generic.sniff(data)
    assert (mapping.timestamp_column, mapping.labels, mapping.decimal_comma, mapping.consumption_columns) == (
        "Zeitpunkt",
        "end",
        True,
        ("Verbrauch",),
    )


def test_a_quality_column_with_w_marks_is_proposed():
    data = b"Zeit;Bezug;Status\n15.06.2026 00:00;1.0;W\n15.06.2026 00:15;2.0;E\n"
    mapping = generic.sniff(data)
    assert (mapping.quality_column, mapping.measured_values) == ("Status", ("W",))


def test_without_a_mapping_the_guess_is_applied_and_flagged():
    parsed = generic.parse(sample("ewz.csv"))
    assert codes(parsed.warnings) == ["unconfirmed_mapping"]
    assert only(parsed).total_mwh == 6_365_000


def test_a_mapping_without_timestamps_reports_the_missing_column():
    parsed = generic.parse(b"A;B\n1;2\n", mapping=GenericMapping(consumption_columns=("B",)))
    assert [(p.code, p.location, p.message, p.params) for p in parsed.problems] == [
        ("unmapped_column", "line 1", "The mapping names no timestamp column.", {"role": "timestamp"}),
    ]


def test_the_sniffer_never_fails_on_junk():
    assert generic.sniff(b"\x00\x01") == GenericMapping()
    guess = generic.sniff(b"just one line")
    assert (guess.timestamp_column, guess.date_column, guess.consumption_columns) == (None, None, ())


def test_the_sniffer_samples_a_bounded_start_of_the_file():
    row = ";".join(["1"] * 2_000)
    data = ("\n".join([";".join(f"c{i}" for i in range(2_000)), *[row] * 300]) + "\n").encode()  # 1.2 MB
    lines = first_lines(_sample(data.decode()), SAMPLE_LINES)
    assert 1 < len(lines) < 300 and sum(map(len, lines)) <= SAMPLE_CHARS
    assert sniff(data).header_row == 0
    assert _sample("x" * (SAMPLE_CHARS + 10)) == "x" * (SAMPLE_CHARS + 10)  # one line is kept whole
