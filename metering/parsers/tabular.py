"""The engine behind every CSV format: a GenericMapping applied to a delimited export.

The dedicated parsers (EKZ, BKW, ewz, CKW, IWB, AEW) are fixed mappings plus a header check; the generic
parser applies a mapping the user confirmed. Values become mWh, local times UTC interval starts.
"""

from dataclasses import replace

from metering.parsers.base import Issues, ParsedFile, Series
from metering.parsers.long_layout import LongReader
from metering.parsers.mapping import GenericMapping
from metering.parsers.table import decode, first_lines, read_table, split_row
from metering.parsers.wide_layout import WideReader


def parse_with_mapping(data: bytes, mapping: GenericMapping, *, format: str) -> ParsedFile:
    issues = Issues()
    if not data or data.isspace():
        issues.problem("empty_file", "file", "The file is empty.")
        return ParsedFile(format, (), issues.problems, issues.warnings, {})
    table = read_table(
        data,
        delimiter=mapping.delimiter,
        header_row=mapping.header_row,
        encoding=mapping.encoding,
        issues=issues,
    )
    series: list[Series] = []
    meta: dict[str, str] = {}
    if table is not None:
        reader = LongReader if mapping.layout == "long" else WideReader
        series = reader(table, mapping, issues, meta).series()
    return ParsedFile(format, tuple(series), issues.problems, issues.warnings, meta)


def parse_layout(data: bytes, mapping: GenericMapping, header: tuple[str, ...], *, format: str) -> ParsedFile:
    """A dedicated layout: its fixed mapping, with the header row found wherever the file has it."""
    row = find_header_row(data, header, mapping.delimiter)
    return parse_with_mapping(data, mapping if row is None else replace(mapping, header_row=row), format=format)


def find_header_row(data: bytes, header: tuple[str, ...], delimiter: str, *, within: int = 20) -> int | None:
    decoded = decode(data)
    if decoded is None:
        return None
    for number, line in enumerate(first_lines(decoded.text, within)):
        if tuple(split_row(line, delimiter)) == header:
            return number
    return None
