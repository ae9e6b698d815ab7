from metering.parsers.base import Quality
from metering.parsers.mapping import GenericMapping
from metering.parsers.tabular import parse_with_mapping
from tests.metering.parsers.builders import only

TWO_COLUMNS = GenericMapping(timestamp_column="Zeit", consumption_columns=("HT", "NT"))


def parse(text: str, mapping: GenericMapping = TWO_COLUMNS):
    return parse_with_mapping(text.encode(), mapping, format="generic")


def test_a_row_with_a_bad_cell_delivers_nothing_for_that_direction():
    parsed = parse("Zeit;HT;NT\n15.06.2026 00:00;0.1;x\n15.06.2026 00:15;0.1;0.2\n")
    assert [(p.code, p.location) for p in parsed.problems] == [("bad_number", "line 2, column 'NT'")]
    series = only(parsed)
    assert (series.start.isoformat(), series.values_mwh.tolist()) == ("2026-06-14T22:15:00+00:00", [300_000])


def test_separate_date_and_time_columns_with_start_labels():
    mapping = GenericMapping(date_column="Tag", time_column="Uhrzeit", production_columns=("Produktion",))
    parsed = parse("Tag;Uhrzeit;Produktion\n15.06.2026;00:00;1\n15.06.2026;00:15;2\n", mapping)
    assert [(s.direction, s.values_mwh.tolist()) for s in parsed.series] == [("production", [1_000_000, 2_000_000])]


def test_quality_marks_map_to_measured_or_estimated():
    mapping = GenericMapping(
        timestamp_column="Zeit", consumption_columns=("Bezug",), quality_column="Q", measured_values=("ok",)
    )
    parsed = parse("Zeit;Bezug;Q\n15.06.2026 00:00;1;ok\n15.06.2026 00:15;1;ersatz\n", mapping)
    assert only(parsed).quality.tolist() == [Quality.MEASURED, Quality.ESTIMATED]


def test_no_value_column_mapped_is_a_problem():
    parsed = parse("Zeit;Bezug\n15.06.2026 00:00;1\n", GenericMapping(timestamp_column="Zeit"))
    assert [(p.code, p.message) for p in parsed.problems] == [
        ("unmapped_column", "The mapping names no values column.")
    ]
