"""SDAT-CH XML (ebIX): E66 ValidatedMeteredData 1.2–1.6 and E31 AggregatedMeteredData. See domain.md B1.

Each MeteringData block is one series: metering point × direction × product (total, LEG share, grid share),
15-minute observations numbered from the block's UTC interval start.
"""

import re
from datetime import UTC, datetime

import numpy as np
from lxml import etree

from metering.parsers import sdat_scan
from metering.parsers.base import Issues, ParsedFile, Quality, Series
from metering.parsers.decimals import kwh_text
from metering.parsers.localtime import FIRST_YEAR, LAST_YEAR, utc_iso, utc_minutes
from metering.parsers.sdat_blocks import BlockReader, observations_from_tree
from metering.parsers.sdat_xml import (
    STROM_NS,
    XmlError,
    find_code,
    find_text,
    local_name,
    ns_path,
    peek_root,
    safe_parser,
    xml_error,
)

E66_ROOT = re.compile(r"ValidatedMeteredData_(1[2-6])")
E31_ROOT = re.compile(r"AggregatedMeteredData_(\d\d)")
SPLIT_TOLERANCE_MWH = 1000  # total and LEG + grid shares are each rounded to Wh


def document_format(root_name: str) -> str | None:
    if E66_ROOT.fullmatch(root_name):
        return "sdat-e66"
    if E31_ROOT.fullmatch(root_name):
        return "sdat-e31"
    return None


def parse(data: bytes, **_: object) -> ParsedFile:
    issues = Issues()
    root = _root_element(data, issues)
    if root is None:
        return ParsedFile(_format_guess(data), (), issues.problems, issues.warnings, {})
    document, scanned = root
    format = document_format(local_name(document)) or "unknown"
    meta = _header_meta(document)
    _check_creation(meta, issues)
    reader = BlockReader(format, issues, meta)
    blocks = document.findall(ns_path("MeteringData"))
    for number, block in enumerate(blocks, 1):
        reader.read(
            number,
            block,
            scanned.blocks[number - 1] if scanned else observations_from_tree(block, number, issues),
        )
    series = reader.series()
    if format == "sdat-e66":
        _check_split(series, issues)
    return ParsedFile(format, tuple(series), issues.problems, issues.warnings, meta)


def _root_element(data: bytes, issues: Issues) -> tuple[etree._Element, sdat_scan.Scan | None] | None:
    if not data or data.isspace():
        issues.problem("empty_file", "file", "The file is empty.")
        return None
    if declares_doctype(data):
        # SDAT never uses a DTD; refusing one outright rules out entity expansion and external fetches.
        _doctype_problem(issues)
        return None
    peeked = peek_root(data)
    if isinstance(peeked, XmlError):
        syntax_problem(issues, peeked)
        return None
    if peeked.doctype:  # the same, written in an encoding the byte test above does not see (UTF-16)
        _doctype_problem(issues)
        return None
    if peeked.namespace != STROM_NS or document_format(peeked.name) is None:
        reason = f"the XML root is {{{peeked.namespace}}}{peeked.name}, not an SDAT-CH E66 or E31 document"
        issues.problem("unknown_format", "XML line 1", f"Not an SDAT file: {reason}.", reason=reason)
        return None
    scanned = sdat_scan.scan(data, peeked.prefix)
    if scanned is not None:
        try:
            document = etree.fromstring(scanned.skeleton, safe_parser())
        except etree.XMLSyntaxError:
            document = None  # the full parse below reports it, with the exact position
        # Every block must be found and every observation cut out (another prefix would stay in the tree).
        if (
            document is not None
            and len(document.findall(ns_path("MeteringData"))) == len(scanned.blocks)
            and document.find(ns_path("MeteringData/Observation")) is None
        ):
            return document, scanned
    try:
        return etree.fromstring(data, safe_parser()), None
    except etree.XMLSyntaxError as exc:
        syntax_problem(issues, xml_error(exc))
        return None


def declares_doctype(data: bytes) -> bool:
    """Whether "<!DOCTYPE" or "<!ENTITY" appears anywhere; most files have no "!" at all, found at memchr speed."""
    return b"!" in data and (b"<!DOCTYPE" in data or b"<!ENTITY" in data)


def _format_guess(data: bytes) -> str:
    peeked = None if not data or data.isspace() else peek_root(data)
    return (document_format(peeked.name) if peeked and not isinstance(peeked, XmlError) else None) or "unknown"


def _doctype_problem(issues: Issues) -> None:
    issues.problem(
        "doctype_forbidden",
        "XML prolog",
        "The file declares a DOCTYPE or entities, which SDAT-CH files never do; it is not read.",
    )


def syntax_problem(issues: Issues, error: XmlError) -> None:
    where = f"line {error.line}, column {error.column}" if error.column else f"line {error.line}"
    issues.problem(
        "xml_syntax", f"XML line {error.line}", f"The XML is broken at {where}: {error.detail}.", **error.params()
    )


def _header_meta(document: etree._Element) -> dict[str, str]:
    name = local_name(document)
    version = name.rsplit("_", 1)[-1]
    meta = {"sdat_version": f"{version[0]}.{version[1:]}"}
    # Comments and processing instructions are children too: they have no name and are passed over.
    header = next((child for child in document if local_name(child).endswith("_HeaderInformation")), None)
    if header is None:
        return meta
    fields = {
        "document_id": find_text(header, "InstanceDocument/DocumentID"),
        "document_type": find_code(header, "InstanceDocument/DocumentType"),
        "creation": find_text(header, "InstanceDocument/Creation"),
        "sender": find_text(header, "Sender/ID/EICID"),
        "sender_role": find_text(header, "Sender/Role"),
        "receiver": find_text(header, "Receiver/ID/EICID"),
        "receiver_role": find_text(header, "Receiver/Role"),
        "business_reason": find_code(header, "BusinessScopeProcess/BusinessReasonType"),
        "report_period_start": find_text(header, "BusinessScopeProcess/ReportPeriod/StartDateTime"),
        "report_period_end": find_text(header, "BusinessScopeProcess/ReportPeriod/EndDateTime"),
    }
    meta.update({key: value for key, value in fields.items() if value})
    return meta


CREATION_ELEMENT = "InstanceDocument/Creation"


def _check_creation(meta: dict[str, str], issues: Issues) -> None:
    """The document's creation time decides which of two deliveries of a slot wins: it must be an exact instant.

    Stored in ``meta["created_utc"]`` as ISO UTC; a document without one is timed by its arrival instead.
    """
    text = meta.get("creation")
    if text is None:
        return
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None or not FIRST_YEAR <= moment.year <= LAST_YEAR:
        issues.problem(
            "bad_creation",
            CREATION_ELEMENT,
            f"'{text}' is not usable as the document's creation time: expected an instant with its offset, "
            "such as 2026-07-05T10:00:00Z.",
            value=text,
            element=CREATION_ELEMENT,
        )
        return
    meta["created_utc"] = moment.astimezone(UTC).isoformat()


def _check_split(series: list[Series], issues: Issues) -> None:
    """The delivered LEG split must add up: total = LEG share + grid share, within 1 Wh per quarter-hour."""
    channels: dict[tuple[str | None, str], dict[str, Series]] = {}
    for one in series:
        channels.setdefault((one.metering_point, one.direction), {})[one.channel] = one
    for (point, direction), parts in channels.items():
        if set(parts) == {"total", "leg", "grid"}:
            _check_split_of(point, direction, parts, issues)


def _check_split_of(point: str | None, direction: str, parts: dict[str, Series], issues: Issues) -> None:
    start = max(part.start for part in parts.values())
    count = int((min(part.end for part in parts.values()) - start).total_seconds()) // 900
    if count <= 0:
        return
    aligned = {}
    for name, part in parts.items():
        offset = int((start - part.start).total_seconds()) // 900
        aligned[name] = (part.values_mwh[offset : offset + count], part.quality[offset : offset + count])
    present = np.logical_and.reduce([quality != Quality.MISSING for _, quality in aligned.values()])
    total, leg, grid = (aligned[name][0] for name in ("total", "leg", "grid"))
    first = utc_minutes(start)

    def describe(i: int) -> tuple[str, str, dict[str, object]]:
        slot = utc_iso(first + 15 * i)
        shown = {
            "total": f"{kwh_text(int(total[i]))} kWh",
            "leg": f"{kwh_text(int(leg[i]))} kWh",
            "grid": f"{kwh_text(int(grid[i]))} kWh",
        }
        difference = f"{kwh_text(int(total[i] - leg[i] - grid[i]))} kWh"
        return (
            f"{point} {direction}, quarter-hour {slot}",
            (
                f"Total {shown['total']} is not LEG share {shown['leg']} + grid share {shown['grid']} "
                f"(off by {difference}; at most 0.001 kWh is allowed)."
            ),
            {"metering_point": point or "", "slot": slot, "difference": difference, **shown},
        )

    issues.problem_each(
        "split_mismatch",
        np.flatnonzero(present & (np.abs(total - leg - grid) > SPLIT_TOLERANCE_MWH)),
        describe,
    )
