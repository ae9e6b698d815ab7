"""What a person needs to confirm a CSV mapping: the file's columns and first rows, and the first quarter-hours as
the mapping reads them. Reads only; the confirmation itself is ``csv_mappings.csv_mapping_confirm``."""

from dataclasses import dataclass, field
from datetime import timedelta

from metering.models import series_label
from metering.parsers import GenericMapping
from metering.parsers.table import decode, first_lines, split_row
from metering.parsers.tabular import parse_with_mapping
from openleg.periods import ZURICH

SAMPLE_ROWS = 5
PARSED_SLOTS = 8
_MWH_PER_KWH = 1_000_000


@dataclass
class MappingPreview:
    columns: list[str] = field(default_factory=list)  # the header row's cells
    sample: list[list[str]] = field(default_factory=list)  # the first data rows as they stand in the file
    series: list[str] = field(default_factory=list)  # "CH… Bezug Total", one per parsed series
    parsed: list[tuple[str, list[str]]] = field(default_factory=list)  # local time, kWh per series (or "–")
    problems: list[str] = field(default_factory=list)


def mapping_preview(data: bytes, mapping: GenericMapping) -> MappingPreview:
    preview = MappingPreview()
    decoded = decode(data, mapping.encoding)
    if decoded is None:
        return preview
    lines = first_lines(decoded.text, mapping.header_row + 1 + SAMPLE_ROWS)
    if len(lines) > mapping.header_row:
        preview.columns = [cell for cell in split_row(lines[mapping.header_row], mapping.delimiter) if cell]
        preview.sample = [split_row(line, mapping.delimiter) for line in lines[mapping.header_row + 1 :] if line]
    parsed = parse_with_mapping(data, mapping, format="generic")
    preview.problems = [problem.message for problem in parsed.problems[:3]]
    if not parsed.series:
        return preview
    preview.series = [f"{s.metering_point or ''} {series_label(s.direction, s.channel)}".strip() for s in parsed.series]
    first = min(s.start for s in parsed.series)
    for slot in range(PARSED_SLOTS):
        moment = first + timedelta(minutes=15 * slot)
        cells = []
        for s in parsed.series:
            index = (moment - s.start) // timedelta(minutes=15)
            inside = 0 <= index < len(s.values_mwh)
            cells.append(f"{int(s.values_mwh[index]) / _MWH_PER_KWH:.3f}" if inside else "–")
        preview.parsed.append((f"{moment.astimezone(ZURICH):%d.%m.%Y %H:%M}", cells))
    return preview
