"""Inputs that crashed a parser (found by tests/metering/test_bad_input.py and by fuzzing): each is now a named,
located problem, or a file that simply parses."""

import pytest

from metering import parsers
from metering.parsers import GenericMapping, sdat
from metering.parsers.generic import sniff
from metering.parsers.table import DELIMITERS
from tests.metering.parsers.builders import (
    BKW_HEADER,
    BKW_POINT,
    CONSUMER,
    TOTAL,
    bkw_csv,
    block,
    codes,
    document,
    sample,
)

LABEL = f"MeteringData #1 ({CONSUMER}, {TOTAL})"


def located(parsed: parsers.ParsedFile) -> list[tuple[str, str]]:
    return [(problem.code, problem.location) for problem in parsed.problems]


# --- CSV: the csv module raised on a carriage return inside a line and on cells over its field limit ---


def test_a_stray_carriage_return_in_random_bytes_is_an_unknown_format():
    parsed = parsers.parse(b"\r\x01")  # was _csv.Error: new-line character seen in unquoted field
    assert located(parsed) == [("unknown_format", "file")]


def test_a_carriage_return_inside_a_header_line_is_a_blank():
    data = sample("ckw.csv").replace(b"Datum;Zeit", b"Datum\r;Zeit", 1)
    parsed = parsers.parse(data, metering_point=CONSUMER)
    assert (parsed.format, parsed.problems) == ("ckw", ())
    assert len(parsed.series) == 2


def test_a_file_with_only_carriage_returns_as_line_ends_is_read():
    parsed = parsers.parse(sample("bkw.csv").replace(b"\n", b"\r"))
    assert (parsed.format, parsed.problems) == ("bkw", ())
    assert [s.intervals for s in parsed.series] == [96, 96]


def test_a_quoted_cell_over_the_csv_field_limit_is_a_problem_and_reading_goes_on():
    rows = [
        f'{BKW_POINT};"{"x" * 200_000}";0.1;0.0;W',  # was _csv.Error: field larger than field limit
        f"{BKW_POINT};15.6.2026 00:00:00;0.1;0.0;W",
        f"{BKW_POINT};15.6.2026 00:15:00;0.x;0.0;W",
    ]
    parsed = parsers.parse(("\r\n".join([BKW_HEADER, *rows]) + "\r\n").encode())
    assert located(parsed) == [("field_too_long", "line 2"), ("bad_number", "line 4, column 'Strombezug [kWh]'")]
    assert parsed.problems[0].params == {"limit": "131072"}


def test_a_header_cell_over_the_csv_field_limit_is_no_crash():
    data = ('"' + "x" * 200_000 + '";Datum\n1;2\n3;4\n').encode()
    parsed = parsers.parse(data, format="generic")
    assert codes(parsed.problems) == ["unmapped_column"]


# --- wide layout: with no data row left, the unit masks became float arrays ---


def test_a_wide_export_with_its_header_only_is_empty():
    data = sample("aew.csv")
    parsed = parsers.parse(data[: data.index(b"\n") + 1])  # was TypeError: ufunc 'bitwise_and' not supported
    assert located(parsed) == [("empty_file", "line 1")]


def test_a_wide_export_cut_in_its_first_row_is_a_bad_row():
    data = sample("aew.csv")
    parsed = parsers.parse(data[: data.index(b"\n") + 40])
    assert located(parsed) == [("bad_row", "line 2")]
    assert parsed.problems[0].params == {"expected": "100", "found": "2"}


# --- SDAT XML: lxml names an element with an undeclared prefix "rsm:Name", and comments have no name ---


def test_an_undeclared_namespace_prefix_on_the_root_is_broken_xml():
    data = sample("sdat-e66-v12-basic.xml").replace(b' xmlns:rsm="http://www.strom.ch"', b"", 1)
    detected = parsers.parse(data)  # was ValueError: Invalid tag name 'rsm:ValidatedMeteredData_12'
    assert located(detected) == [("xml_syntax", "XML line 4")]  # broken before its root: broken XML, not unknown
    assert detected.problems[0].params["detail"] == "Namespace prefix rsm on ValidatedMeteredData_12 is not defined"
    assert (detected.problems[0].params["reason"], detected.problems[0].params["element"]) == ("namespace", "rsm")
    forced = parsers.parse(data, format="sdat-e66")
    assert located(forced) == [("xml_syntax", "XML line 4")]


def test_comments_and_processing_instructions_in_the_root_are_passed_over():
    data = sample("sdat-e66-v16-leg-2mp.xml").replace(
        b"<rsm:ValidatedMeteredData_HeaderInformation>",
        b"<!-- exported by hand --><?tool x?><rsm:ValidatedMeteredData_HeaderInformation>",
        1,
    )  # was ValueError: Invalid input tag of type cython_function_or_method
    parsed = parsers.parse(data)
    assert parsed.problems == ()
    assert parsed.meta["document_type"] == "E66"
    assert len(parsed.series) == 6


def test_a_doctype_in_utf16_is_refused_as_well():
    text = sample("sdat-e66-v12-basic.xml").decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    text = text.replace(
        "<rsm:ValidatedMeteredData_12", '<!DOCTYPE x [<!ENTITY e "z">]>\n<rsm:ValidatedMeteredData_12', 1
    )
    parsed = parsers.parse(text.encode("utf-16"))  # the byte test for b"<!DOCTYPE" does not see UTF-16
    assert located(parsed) == [("doctype_forbidden", "XML prolog")]


@pytest.mark.parametrize(
    "changes, step, value, detail",
    [
        (  # took 10 s and 3 GB for a 280-million-slot series, then OverflowError past the year 9999
            {"end": "9999-12-31T23:45:00-01:00"},
            "Interval/EndDateTime",
            "9999-12-31T23:45:00-01:00",
            "the year 9999 is out of range",
        ),
        (
            {"start": "0001-01-01T00:00:00Z"},
            "Interval/StartDateTime",
            "0001-01-01T00:00:00Z",
            "the year 1 is out of range",
        ),
        (  # on a quarter-hour as written, seven minutes off in UTC: was silently shifted
            {"start": "2026-06-14T22:00:00+00:07"},
            "Interval/StartDateTime",
            "2026-06-14T22:00:00+00:07",
            "expected an instant on a quarter-hour with its offset, such as 2026-06-14T22:00:00Z",
        ),
    ],
)
def test_sdat_intervals_outside_the_years_or_off_the_utc_grid(changes, step, value, detail):
    parsed = sdat.parse(document(block(CONSUMER, ["0.1", "0.2"], **changes)))
    (problem,) = parsed.problems
    assert (problem.code, problem.location) == ("bad_timestamp", f"{LABEL}, {step}")
    assert problem.params == {"value": value, "detail": detail}


# --- mappings: a saved mapping may name any encoding or delimiter ---


@pytest.mark.parametrize("encoding", ["klingon", "base64", "idna"])
def test_a_mapping_with_an_encoding_that_decodes_no_text_is_a_problem(encoding):
    mapping = GenericMapping(encoding=encoding, timestamp_column="Datum", consumption_columns=("Wert",))
    parsed = parsers.parse(b"Datum;Wert\n15.06.2026 00:00;1\n", mapping=mapping, format="generic")
    assert located(parsed) == [("unknown_format", "mapping")]  # was LookupError / UnicodeError
    assert (
        parsed.problems[0].params["reason"] == f"the mapping names the encoding '{encoding}', which cannot decode text"
    )


def test_a_mapping_encoding_that_yields_lone_surrogates_is_no_crash():
    mapping = GenericMapping(encoding="unicode_escape", timestamp_column="Datum", consumption_columns=("Wert",))
    data = b"Datum;Wert\n15.06.2026 00:00;1\n\\ud800;1\n"  # was UnicodeEncodeError: surrogates not allowed
    parsed = parsers.parse(data, mapping=mapping, format="generic", metering_point=CONSUMER)
    assert located(parsed) == [("bad_timestamp", "line 3, column 'Datum'")]


def test_the_sniffer_proposes_only_delimiters_a_mapping_may_hold():
    mapping = sniff("sep=€\nDatum;Wert\n15.06.2026 00:00;1\n15.06.2026 00:15;2\n".encode())
    assert mapping.delimiter in DELIMITERS
    assert GenericMapping.from_dict(mapping.to_dict()) == mapping  # "€" made a mapping that cannot be saved


# --- far-apart dates: contiguous series of millions of empty slots ---


def test_values_two_centuries_apart_are_mostly_gaps_not_gigabytes():
    rows = [[BKW_POINT, "1.1.1970 00:00:00", "0.1", "0.0", "W"], [BKW_POINT, "31.12.2199 23:45:00", "0.1", "0.0", "W"]]
    parsed = parsers.parse(bkw_csv(rows))  # was two series of 8,064,576 slots (234 MB) without any problem
    assert located(parsed) == [("mostly_gaps", "line 3")]
    assert parsed.problems[0].params == {
        "count": "2",
        "days": "84006",
        "start": "1969-12-31T23:00:00Z",
        "end": "2199-12-31T23:00:00Z",
        "gap": "8064574",
        "metering_point": BKW_POINT,
        "direction": "consumption",
        "channel": "total",
    }
    assert parsed.series == ()
