import numpy as np

from metering.parsers.mapping import GenericMapping
from metering.parsers.table_reader import first_rows_of, unit_of
from metering.parsers.tabular import parse_with_mapping
from tests.metering.parsers.builders import only


def test_unit_texts():
    assert [unit_of(text) for text in ("kWh", "kW (Mittelwert 15 min)", " KWH ", "MWh", "")] == [
        "kWh",
        "kW",
        "kWh",
        None,
        None,
    ]


def test_decimal_comma_is_decided_from_the_values_when_not_mapped():
    mapping = GenericMapping(timestamp_column="Zeit", consumption_columns=("Bezug",))
    comma = parse_with_mapping(b"Zeit;Bezug\n15.06.2026 00:00;0,5\n", mapping, format="generic")
    point = parse_with_mapping(b"Zeit;Bezug\n15.06.2026 00:00;0.5\n", mapping, format="generic")
    assert only(comma).values_mwh.tolist() == only(point).values_mwh.tolist() == [500_000]


def test_a_missing_mapped_column_names_its_role():
    mapping = GenericMapping(timestamp_column="Zeit", consumption_columns=("Bezug",), quality_column="Status")
    parsed = parse_with_mapping(b"Zeit;Bezug\n15.06.2026 00:00;0.5\n", mapping, format="generic")
    assert [(p.location, p.message, p.params) for p in parsed.problems] == [
        ("line 1", "The column 'Status' (quality) is missing from the header.", {"column": "Status"})
    ]


def test_first_rows_of_codes_numbered_by_appearance():
    assert first_rows_of(np.array([0, 0, 1, 0, 2, 1])).tolist() == [0, 2, 4]
