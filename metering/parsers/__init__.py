"""Meter-file parsers: bytes in, UTC quarter-hour series in integer mWh out, with every problem located.

Pure Python (numpy, lxml, stdlib): no Django. ``parse`` detects the format, dispatches to the module of that
format and supplies the metering point for exports that name none.
"""

from collections.abc import Callable
from dataclasses import replace

from metering.parsers import aew, bkw, ckw, ekz, ewz, generic, iwb, sdat
from metering.parsers.base import Issues, ParsedFile, Problem, Quality, Series, check_metering_point
from metering.parsers.detect import EXCEL, Detected, compression_of, detect_format
from metering.parsers.mapping import GenericMapping

__all__ = [
    "FORMATS",
    "Detected",
    "GenericMapping",
    "ParsedFile",
    "Problem",
    "Quality",
    "Series",
    "detect_format",
    "parse",
]

FORMATS: dict[str, Callable[..., ParsedFile]] = {
    "sdat-e66": sdat.parse,
    "sdat-e31": sdat.parse,
    "ekz": ekz.parse,
    "ewz": ewz.parse,
    "ckw": ckw.parse,
    "bkw": bkw.parse,
    "iwb": iwb.parse,
    "aew": aew.parse,
    "generic": generic.parse,
}
# Aggregates belong to a community, not to a metering point: never fill one in.
_WITHOUT_METERING_POINT = ("sdat-e31",)


def parse(
    data: bytes,
    *,
    format: str | None = None,
    filename: str = "",
    metering_point: str | None = None,
    mapping: GenericMapping | None = None,
) -> ParsedFile:
    meta = {"filename": filename} if filename else {}
    if not data or data.isspace():  # not data.strip(): that copies the whole file (hundreds of MB for SDAT)
        problem = Problem("empty_file", filename or "file", "The file is empty.", {})
        return ParsedFile("unknown", (), (problem,), (), meta)
    compressed = compression_of(data)
    if compressed == EXCEL:
        problem = Problem("spreadsheet_file", filename or "file", "An Excel workbook: save it as CSV first.", {})
        return ParsedFile("unknown", (), (problem,), (), meta)
    if compressed:
        where = filename or "file"
        problem = Problem(
            "compressed_file", where, f"The file is compressed ({compressed}); unpack it first.", {"kind": compressed}
        )
        return ParsedFile("unknown", (), (problem,), (), meta)
    if format is None:
        detected = detect_format(data)
        if detected.xml_error is not None:
            issues = Issues()
            sdat.syntax_problem(issues, detected.xml_error)
            return ParsedFile("unknown", (), issues.problems, (), meta)
        if detected.format is None:
            return _unknown(detected.reason, meta)
        format, meta["encoding"] = detected.format, detected.encoding
    if format not in FORMATS:
        return _unknown(f"no parser for the format '{format}'", meta)
    parsed = FORMATS[format](data, mapping=mapping)
    parsed = replace(parsed, meta={**meta, **parsed.meta})
    if format in _WITHOUT_METERING_POINT or all(series.metering_point for series in parsed.series):
        return parsed
    return _with_metering_point(parsed, metering_point, filename or "file")


def _unknown(reason: str, meta: dict[str, str]) -> ParsedFile:
    problem = Problem(
        "unknown_format",
        meta.get("filename") or "file",
        f"The file format is not recognised: {reason}.",
        {"reason": reason},
    )
    return ParsedFile("unknown", (), (problem,), (), meta)


def _with_metering_point(parsed: ParsedFile, metering_point: str | None, where: str) -> ParsedFile:
    """Exports per installation (EKZ, CKW, some generic layouts) name no metering point: the caller does."""
    issues = Issues()
    if not metering_point:
        issues.problem(
            "metering_point_required",
            where,
            f"This {parsed.format} export names no metering point; say which metering point it belongs to.",
        )
    elif check_metering_point(metering_point, "given metering point", issues):
        series = tuple(s if s.metering_point else replace(s, metering_point=metering_point) for s in parsed.series)
        return replace(parsed, series=series, meta={**parsed.meta, "metering_point": metering_point})
    return replace(parsed, problems=parsed.problems + issues.problems)
