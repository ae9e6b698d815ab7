"""Delimited exports (CSV) read into columns of cells: decoding, preamble rows, header, data rows.

Portal exports carry hundreds of thousands of rows, so a file is tokenised with numpy on its bytes; quotes that
only wrap whole cells (as spreadsheet programs write every cell) are cut off there. A file whose quotes do more
(a delimiter, a line break or a quote inside a cell) goes through the ``csv`` module. Both give the same ``Table``.
"""

import codecs
import csv
import io
from dataclasses import dataclass

import numpy as np

from metering.parsers.base import Issues
from metering.parsers.cells import Cells

DELIMITERS = (";", ",", "\t")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # as detected: "utf-8-sig", "utf-8", "cp1252", "utf-16"
    raw: bytes  # the text in an ASCII-compatible encoding (the file's bytes when possible), without BOM
    raw_encoding: str


def decode(data: bytes, encoding: str | None = None) -> Decoded | None:
    """A BOM decides; else UTF-8, else Windows-1252. None for bytes that are no text."""
    if encoding:
        if not usable_encoding(encoding):
            return None
        text = data.decode(encoding, "replace").lstrip("\ufeff")
        # "replace": codecs such as unicode_escape can yield lone surrogates, which UTF-8 cannot hold
        return _text_only(Decoded(text, encoding, text.encode("utf-8", "replace"), "utf-8"))
    if data.startswith(codecs.BOM_UTF8):
        return _text_only(Decoded(data[3:].decode("utf-8", "replace"), "utf-8-sig", data[3:], "utf-8"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", "replace")
        return _text_only(Decoded(text, "utf-16", text.encode("utf-8"), "utf-8"))
    for candidate in ("utf-8", "cp1252"):
        try:
            return _text_only(Decoded(data.decode(candidate), candidate, data, candidate))
        except UnicodeDecodeError:
            continue
    return None


def usable_encoding(name: str) -> bool:
    """A saved mapping may name any encoding: it must exist, be a text encoding and replace what it cannot read."""
    try:
        b"a".decode(name, "replace")
    except (LookupError, UnicodeError):  # "klingon", "base64", "idna"
        return False
    return True


def _text_only(decoded: Decoded) -> Decoded | None:
    return None if "\x00" in decoded.text else decoded


def split_row(line: str, delimiter: str) -> list[str]:
    """The cells of one line (none for an empty line), quoted cells read as the ``csv`` module reads them."""
    if '"' not in line:
        return [cell.strip() for cell in line.split(delimiter)] if line else []
    try:
        # A StringIO, not a list of one line: a stray carriage return then ends the row instead of raising.
        row = next(csv.reader(io.StringIO(line, newline=""), delimiter=delimiter), [])
    except csv.Error:  # a quoted cell beyond the csv field limit: no header is that long, so any split will do
        row = line.split(delimiter)
    return [cell.strip() for cell in row]


def first_lines(text: str, count: int) -> list[str]:
    """The first lines without splitting a large file whole; a file without any line feed breaks at CRs."""
    newline = "\n" if "\n" in text or "\r" not in text else "\r"
    lines, position = [], 0
    while len(lines) < count and position < len(text):
        end = text.find(newline, position)
        end = len(text) if end < 0 else end
        lines.append(text[position:end].rstrip("\r"))
        position = end + 1
    return lines


@dataclass(frozen=True, eq=False)
class Table:
    header: tuple[str, ...]
    header_line: int  # 1-based
    preamble: tuple[tuple[str, ...], ...]  # the rows above the header
    columns: tuple[Cells, ...]
    lines: np.ndarray  # 1-based line number of each data row

    def index(self, name: str) -> int | None:
        return self.header.index(name) if name in self.header else None

    def preamble_value(self, label: str) -> str | None:
        """The cell next to ``label`` in the rows above the header ("Messpunkt","CH…")."""
        for row in self.preamble:
            if len(row) > 1 and row[0] == label:
                return row[1]
        return None

    def where(self, row: int, column: int | None = None) -> str:
        line = f"line {int(self.lines[row])}"
        return line if column is None else f"{line}, column '{self.header[column]}'"


def read_table(data: bytes, *, delimiter: str, header_row: int, encoding: str | None, issues: Issues) -> Table | None:
    decoded = decode(data, encoding)
    if decoded is None:
        if encoding and not usable_encoding(encoding):
            reason = f"the mapping names the encoding '{encoding}', which cannot decode text"
            issues.problem("unknown_format", "mapping", f"The file cannot be read: {reason}.", reason=reason)
        else:
            issues.problem("unknown_format", "file", "The file is not text.", reason="the file is not text")
        return None
    raw = decoded.raw
    if b"\n" not in raw and b"\r" in raw:
        raw = raw.replace(b"\r", b"\n")
    buffer = np.frombuffer(raw, np.uint8)
    newlines = np.flatnonzero(buffer == 10)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(raw)]))
    if starts[-1] == len(raw):
        starts, ends = starts[:-1], ends[:-1]
    ends = ends - ((ends > starts) & (buffer[np.maximum(ends - 1, 0)] == 13))
    if len(starts) <= header_row:
        issues.problem("empty_file", "file", f"The file ends before its header row (line {header_row + 1}).")
        return None

    def line_text(index: int) -> str:
        return raw[starts[index] : ends[index]].decode(decoded.raw_encoding, "replace")

    header = tuple(split_row(line_text(header_row), delimiter))
    preamble = tuple(tuple(split_row(line_text(i), delimiter)) for i in range(header_row))
    body_start = int(starts[header_row + 1]) if len(starts) > header_row + 1 else len(raw)
    quoted = raw.find(b'"', body_start) >= 0
    if quoted and not _quotes_wrap_cells(buffer, body_start, delimiter):
        columns, lines = _read_quoted(
            raw[body_start:].decode(decoded.raw_encoding, "replace"),
            header_row + 2,
            delimiter,
            len(header),
            issues,
        )
    else:
        rows = np.arange(header_row + 1, len(starts))
        columns, lines = _read_plain(
            raw, decoded.raw_encoding, starts[rows], ends[rows], rows + 1, delimiter, len(header), issues, quoted
        )
    if not len(lines) and not issues.has_problem("bad_row") and not issues.has_problem("field_too_long"):
        issues.problem("empty_file", f"line {header_row + 1}", "The file has a header but no data rows.")
    return Table(header, header_row + 1, preamble, columns, lines)


def _read_plain(
    raw: bytes,
    encoding: str,
    starts: np.ndarray,
    ends: np.ndarray,
    line_numbers: np.ndarray,
    delimiter: str,
    width: int,
    issues: Issues,
    quoted: bool = False,
) -> tuple[tuple[Cells, ...], np.ndarray]:
    """``quoted``: quotes wrap whole cells (``_quotes_wrap_cells``) and are cut off."""
    buffer = np.frombuffer(raw, np.uint8)
    separators = np.flatnonzero(buffer == ord(delimiter))
    first = np.searchsorted(separators, starts)
    found = np.searchsorted(separators, ends) - first
    blank = found == ends - starts  # empty, or nothing but delimiters
    if quoted:  # or nothing but delimiters and empty quoted cells (""): only rows that short can be
        short = np.flatnonzero(ends - starts <= 3 * found + 2)
        quotes = np.flatnonzero(buffer == _QUOTE)
        filler = found[short] + np.searchsorted(quotes, ends[short]) - np.searchsorted(quotes, starts[short])
        blank[short] = filler == ends[short] - starts[short]
    good = (found == width - 1) & ~blank
    for bad in np.flatnonzero(~good & ~blank):
        _report_row_width(issues, int(line_numbers[bad]), width, int(found[bad]) + 1, delimiter)
    # Built column by column, so that each column is a contiguous row of these: no copy per column (a broken
    # file has 100,000 of them).
    inner = separators[np.arange(width - 1)[:, None] + first[good]]
    cell_starts = np.vstack((starts[good], inner + 1))
    cell_ends = np.vstack((inner, ends[good]))
    lines = line_numbers[good]
    if quoted:
        last = len(buffer) - 1
        wrapped = (cell_ends - cell_starts >= 2) & (buffer[np.minimum(cell_starts, last)] == _QUOTE)
        cell_starts, cell_ends = cell_starts + wrapped, cell_ends - wrapped
        # As the csv module reads it, a row of blank cells ('" ";""') is no row: rows whose cells are all empty or
        # start with a blank (or a byte of a character beyond ASCII, such as a no-break space) are looked at.
        first_bytes = buffer[np.minimum(cell_starts, last)]
        maybe = ((cell_ends == cell_starts) | (first_bytes <= 32) | (first_bytes >= 128)).all(axis=0)
        kept = np.ones(len(lines), bool)
        for row in np.flatnonzero(maybe):
            cells = zip(cell_starts[:, row], cell_ends[:, row], strict=True)
            kept[row] = any(raw[start:end].decode(encoding, "replace").strip() for start, end in cells)
        if not kept.all():
            cell_starts, cell_ends, lines = cell_starts[:, kept], cell_ends[:, kept], lines[kept]
    columns = tuple(Cells(raw, cell_starts[column], cell_ends[column], encoding) for column in range(width))
    return columns, lines


_QUOTE = ord('"')


def _quotes_wrap_cells(buffer: np.ndarray, start: int, delimiter: str) -> bool:
    """Whether every quote from ``start`` on opens or closes a whole cell that holds no delimiter, line break or
    quote, and is not longer than the ``csv`` module reads: then cutting the quotes off reads each cell as the
    ``csv`` module would."""
    quotes = np.flatnonzero(buffer[start:] == _QUOTE) + start
    if len(quotes) % 2:
        return False
    size = len(buffer)

    def byte_at(positions: np.ndarray) -> np.ndarray:
        """The byte at each position, a line feed past either end of the file."""
        inside = (positions >= 0) & (positions < size)
        return np.where(inside, buffer[np.clip(positions, 0, size - 1)], 10)

    separator = ord(delimiter)

    def breaks(data: np.ndarray) -> np.ndarray:
        return (data == separator) | (data == 10)

    opening, closing = quotes[0::2], quotes[1::2]
    after = byte_at(closing + 1)
    opens_cell = breaks(byte_at(opening - 1))
    closes_cell = breaks(after) | ((after == 13) & (byte_at(closing + 2) == 10))
    # Quotes, delimiters and line ends in file order: each opening quote must be followed by its closing one.
    body = buffer[start:]
    marks = body[np.flatnonzero(breaks(body) | (body == 13) | (body == _QUOTE))]
    order = np.flatnonzero(marks == _QUOTE)
    nothing_inside = order[1::2] - order[0::2] == 1
    short = closing - opening - 1 <= csv.field_size_limit()
    return bool(opens_cell.all() and closes_cell.all() and nothing_inside.all() and short.all())


def _read_quoted(
    body: str, first_line: int, delimiter: str, width: int, issues: Issues
) -> tuple[tuple[Cells, ...], np.ndarray]:
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    lines: list[int] = []
    line = first_line
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:  # a cell over the csv field limit: mostly a quote never closed; reading goes on after it
            limit = csv.field_size_limit()
            issues.problem(
                "field_too_long",
                f"line {line}",
                f'A field is longer than {limit:,} characters; is a quote (") not closed?',
                limit=limit,
            )
            line = first_line + reader.line_num
            continue
        if any(cell.strip() for cell in row):
            if len(row) == width:
                rows.append(row)
                lines.append(line)
            else:
                _report_row_width(issues, line, width, len(row), delimiter)
        line = first_line + reader.line_num
    # One buffer for all cells, column after column, as the plain path shares the file's: columns then combine.
    every = Cells.from_texts([cell for cells in zip(*rows, strict=True) for cell in cells])
    count = len(rows)
    return tuple(every.take(slice(k * count, (k + 1) * count)) for k in range(width)), np.array(lines, np.int64)


def _report_row_width(issues: Issues, line: int, width: int, found: int, delimiter: str) -> None:
    shown = "tab" if delimiter == "\t" else f"'{delimiter}'"
    issues.problem(
        "bad_row",
        f"line {line}",
        f"Expected {width} fields separated by {shown}, found {found}.",
        expected=width,
        found=found,
    )
