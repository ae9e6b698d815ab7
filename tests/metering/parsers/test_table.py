import codecs
import csv
import io

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from metering.parsers.base import Issues
from metering.parsers.table import decode, first_lines, read_table, split_row, usable_encoding


@pytest.mark.parametrize(
    "data, text, encoding",
    [
        (codecs.BOM_UTF8 + "Rücklieferung".encode(), "Rücklieferung", "utf-8-sig"),
        ("Rücklieferung".encode(), "Rücklieferung", "utf-8"),
        ("Rücklieferung".encode("cp1252"), "Rücklieferung", "cp1252"),
        ("Rücklieferung".encode("utf-16"), "Rücklieferung", "utf-16"),
    ],
)
def test_decode_prefers_bom_then_utf8_then_windows_1252(data, text, encoding):
    decoded = decode(data)
    assert decoded is not None
    assert (decoded.text, decoded.encoding) == (text, encoding)


def test_bytes_that_are_no_text_are_refused():
    assert decode(b"\x00\x01\x02binary") is None
    assert decode(bytes([0x81, 0x8D, 0x8F])) is None  # undefined in Windows-1252


def read(data: bytes, delimiter: str = ";", header_row: int = 0):
    issues = Issues()
    return read_table(data, delimiter=delimiter, header_row=header_row, encoding=None, issues=issues), issues


def test_plain_and_quoted_files_read_the_same():
    plain, _ = read(b"pre;amble\r\nA;B\r\n1;x\r\n\r\n2;y\r\n", header_row=1)
    quoted, _ = read(b'"pre";"amble"\r\n"A";"B"\r\n"1";"x"\r\n\r\n"2";"y"\r\n', header_row=1)
    for table in (plain, quoted):
        assert table.header == ("A", "B")
        assert table.preamble == (("pre", "amble"),)
        assert table.lines.tolist() == [3, 5]
        assert [table.columns[1].text(i) for i in range(2)] == ["x", "y"]
        assert table.where(1, 0) == "line 5, column 'A'"


def test_rows_with_the_wrong_number_of_fields_are_problems_and_skipped():
    table, issues = read(b"A;B;C\n1;2;3\n1;2\n;;\n4;5;6;7\n8;9;10")
    assert table.lines.tolist() == [2, 6]
    assert [(p.code, p.location, p.message) for p in issues.problems] == [
        ("bad_row", "line 3", "Expected 3 fields separated by ';', found 2."),
        ("bad_row", "line 5", "Expected 3 fields separated by ';', found 4."),
    ]


def test_a_header_without_rows_is_an_empty_file():
    table, issues = read(b"A;B\r\n")
    assert len(table.lines) == 0
    assert [(p.code, p.location) for p in issues.problems] == [("empty_file", "line 1")]


def test_old_mac_line_ends_are_lines_too():
    table, _ = read(b"A;B\r1;2\r3;4\r")
    assert table.lines.tolist() == [2, 3]


@pytest.mark.parametrize(
    "line, cells",
    [
        ("", []),
        (" a ; b ;", ["a", "b", ""]),
        ('"a;b";c', ["a;b", "c"]),
        ("a\r;b", ["a", "b"]),  # a stray carriage return is a blank, as in the plain table path
        ('"a\rb";c', ["a\rb", "c"]),
        ('"' + "x" * 200_000 + '";c', ['"' + "x" * 200_000 + '"', "c"]),  # past the csv field limit: split plainly
    ],
)
def test_split_row_never_raises(line, cells):
    assert split_row(line, ";") == cells


def test_first_lines_break_at_carriage_returns_in_a_file_without_line_feeds():
    assert first_lines("a\rb\rc", 2) == ["a", "b"]
    assert first_lines("a\r\nb\rc\n", 5) == ["a", "b\rc"]


def test_an_unclosed_quote_is_a_field_too_long_and_the_lines_after_it_are_read():
    table, issues = read(b'A;B\n1;"' + b"x" * 140_000 + b"\n2;3\n4;y\n")
    assert [(p.code, p.location, p.params) for p in issues.problems] == [
        ("field_too_long", "line 2", {"limit": "131072"})
    ]
    assert table.lines.tolist() == [3, 4]
    assert [table.columns[1].text(i) for i in range(2)] == ["3", "y"]


def test_quoted_tables_keep_all_cells_in_one_buffer():
    table, _ = read(b'"A";"B"\n"1";"x"\n"2";"y"\n')
    assert table.columns[0].data is table.columns[1].data


@pytest.mark.parametrize("name, usable", [("cp1252", True), ("utf-16", True), ("klingon", False), ("rot13", False)])
def test_usable_encoding(name, usable):
    assert usable_encoding(name) is usable
    assert (decode(b"A;B\n", name) is not None) is usable


def cells_of(table) -> list[list[str]]:
    return [[column.raw_text(row) for column in table.columns] for row in range(len(table.lines))]


def test_cells_wrapped_in_quotes_are_read_from_the_file_itself():
    """Spreadsheet programs quote every cell: those quotes are cut off, the cells stay spans of the file."""
    data = b'"A";"B"\r\n"1";"x y"\r\n"";""\r\n"2";""\r\n3;"z"\r\n'
    table, issues = read(data)
    assert issues.problems == ()
    assert cells_of(table) == [["1", "x y"], ["2", ""], ["3", "z"]]
    assert table.lines.tolist() == [2, 4, 5]  # line 3 holds nothing but empty cells, as the csv module skips it
    assert table.columns[0].data == data and table.columns[0].data is table.columns[1].data


@pytest.mark.parametrize(
    "data, rows, lines",
    [
        (b'A;B\n"1;5";x\n2;y\n', [["1;5", "x"], ["2", "y"]], [2, 3]),  # a delimiter inside quotes
        (b'A;B\n"say ""hi""";x\n', [['say "hi"', "x"]], [2]),  # doubled quotes
        (b'A;B\n"two\nlines";x\n3;y\n', [["two\nlines", "x"], ["3", "y"]], [2, 4]),  # a line break inside quotes
        (b'A;B\n 1 ;"x" \n', [[" 1 ", "x "]], [2]),  # blanks after a closing quote belong to the cell
        (b'A;B\n1;2 "inch"\n', [["1", '2 "inch"']], [2]),  # a quote inside a cell is a character
    ],
)
def test_quotes_that_do_more_than_wrap_a_cell_are_read_as_the_csv_module_reads_them(data, rows, lines):
    table, issues = read(data)
    assert issues.problems == ()
    assert cells_of(table) == rows
    assert table.lines.tolist() == lines


def test_a_quoted_row_of_the_wrong_width_is_reported_like_an_unquoted_one():
    table, issues = read(b'"A";"B"\n"1";"2";"3"\n"4";"5"\n')
    assert [(p.code, p.location) for p in issues.problems] == [("bad_row", "line 2")]
    assert cells_of(table) == [["4", "5"]]


cell_text = st.text(alphabet='ab1 \t\xa0,."\r\n;', max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(cell_text, st.booleans(), cell_text, st.booleans()), min_size=1, max_size=6))
def test_every_quoted_file_reads_as_the_csv_module_reads_it(rows):
    """Whichever path a file with quotes takes (quotes cut off, or the csv module), its cells are the csv module's.
    (A file without quotes keeps a row of blanks, which the csv module would skip: a path this change left alone.)"""

    def written(text: str, quoted: bool) -> str:
        return '"' + text.replace('"', '""') + '"' if quoted or any(c in text for c in '";\r\n') else text

    body = "".join(f"{written(a, qa)};{written(b, qb)}\r\n" for a, qa, b, qb in rows)
    assume('"' in body)
    table, issues = read(f"A;B\r\n{body}".encode())
    expected = [row for row in csv.reader(io.StringIO(body, newline=""), delimiter=";") if any(c.strip() for c in row)]
    assert issues.problems == (() if expected else issues.problems)
    assert cells_of(table) == expected
