from metering.parsers import bkw, iwb
from metering.parsers.tabular import find_header_row, parse_layout, parse_with_mapping
from tests.metering.parsers.builders import sample


def test_the_header_row_is_found_below_preamble_rows():
    assert find_header_row(sample("iwb.csv"), iwb.HEADER, ",") == 2
    assert find_header_row(sample("bkw.csv"), bkw.HEADER, ";") == 0
    assert find_header_row(b"nothing here", bkw.HEADER, ";") is None


def test_a_dedicated_layout_finds_its_header_and_reports_a_foreign_one():
    parsed = parse_layout(sample("iwb.csv"), iwb.MAPPING, iwb.HEADER, format="iwb")
    assert (parsed.format, parsed.problems, len(parsed.series)) == ("iwb", (), 2)
    empty = parse_with_mapping(b"   ", iwb.MAPPING, format="iwb")
    assert [(p.code, p.location) for p in empty.problems] == [("empty_file", "file")]
