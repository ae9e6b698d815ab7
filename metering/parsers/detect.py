"""Which format a meter file is in, from its bytes alone (domain.md B5)."""

from dataclasses import dataclass

from metering.parsers import aew, bkw, ckw, ekz, ewz, iwb
from metering.parsers.sdat import document_format
from metering.parsers.sdat_xml import STROM_NS, XmlError, peek_root
from metering.parsers.table import DELIMITERS, decode, first_lines, split_row

CSV_LAYOUTS = (ekz, bkw, ewz, ckw, iwb, aew)
REGISTER_ROOTS = ("ESLBillingData", "ESL", "EdmRegisterWertExport")
_HEADER_SEARCH_LINES = 20
_HEAD_BYTES = 65_536


# The first bytes of archives and compressed files: a meter file packed for mailing must be unpacked first.
COMPRESSED = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)


@dataclass(frozen=True)
class Detected:
    format: str | None
    encoding: str
    reason: str
    xml_error: XmlError | None = None  # XML broken before its root element: a syntax error to report as such


EXCEL = "Excel"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls)


def compression_of(data: bytes) -> str | None:
    """The kind of compression a file starts with ("gzip", "ZIP", …; ``EXCEL`` for a workbook, which is a ZIP
    too), None for an uncompressed file."""
    if data.startswith(_OLE):
        return EXCEL
    if data[:3] == b"BZh" and data[4:10] == b"1AY&SY":
        return "bzip2"
    kind = next((kind for magic, kind in COMPRESSED if data.startswith(magic)), None)
    if kind == "ZIP" and b"xl/" in data[:_HEAD_BYTES]:  # the parts of an .xlsx workbook come first
        return EXCEL
    return kind


def detect_format(data: bytes) -> Detected:
    if not data or data.isspace():
        return Detected(None, "utf-8", "the file is empty")
    compressed = compression_of(data)
    if compressed:
        return Detected(None, "binary", f"the file is compressed ({compressed}); unpack it first")
    decoded = decode(_head(data))
    if decoded is None:
        return Detected(None, "binary", "the file is not text (neither UTF-8 nor Windows-1252)")
    if decoded.text.lstrip().startswith("<"):
        return _detect_xml(data, decoded.encoding)
    lines = first_lines(decoded.text, _HEADER_SEARCH_LINES)
    for layout in CSV_LAYOUTS:
        delimiter = layout.MAPPING.delimiter
        if any(tuple(split_row(line, delimiter)) == layout.HEADER for line in lines):
            return Detected(layout.FORMAT, decoded.encoding, f"the header of the {layout.FORMAT} export")
    if _is_table(lines):
        return Detected("generic", decoded.encoding, "a delimited table with no known header: map its columns")
    return Detected(None, decoded.encoding, "neither SDAT XML nor a delimited table")


def _head(data: bytes) -> bytes:
    """The first whole lines: enough to recognise a file, and never a character cut in two."""
    if len(data) <= _HEAD_BYTES:
        return data
    cut = data.rfind(b"\n", 0, _HEAD_BYTES)
    return data[: cut + 1] if cut > 0 else data[:_HEAD_BYTES]


def _detect_xml(data: bytes, encoding: str) -> Detected:
    root = peek_root(data)
    if isinstance(root, XmlError):
        return Detected(None, encoding, f"broken XML (line {root.line}): {root.detail}", root)
    if root.name in REGISTER_ROOTS:
        return Detected(None, encoding, f"{root.name} holds register readings (meter totals), not interval data")
    if root.namespace != STROM_NS:
        return Detected(None, encoding, f"XML root {root.name} is not in the SDAT namespace {STROM_NS}")
    found = document_format(root.name)
    if found is None:
        return Detected(None, encoding, f"XML root {root.name} is no supported SDAT-CH document (E66 1.2–1.6, E31)")
    return Detected(found, encoding, f"SDAT-CH {root.name}")


def _is_table(lines: list[str]) -> bool:
    """At least two rows with the same number (two or more) of fields for one of the usual delimiters."""
    rows = [line for line in lines if line.strip()]
    for delimiter in DELIMITERS:
        widths = [len(split_row(line, delimiter)) for line in rows]
        if len(widths) >= 2 and widths[-1] > 1 and widths.count(widths[-1]) >= 2:
            return True
    return False
