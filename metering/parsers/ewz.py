"""ewz: UNVERIFIED proposed layout (no real export found). See domain.md B4.

``Messpunkt;Beginn;Ende;Bezug [kWh];Einspeisung [kWh]`` with ISO 8601 times and explicit UTC offsets; the
``Beginn`` column gives the interval start, the offset decides the instant.
"""

from metering.parsers.base import ParsedFile
from metering.parsers.mapping import GenericMapping
from metering.parsers.tabular import parse_layout

FORMAT = "ewz"
HEADER = ("Messpunkt", "Beginn", "Ende", "Bezug [kWh]", "Einspeisung [kWh]")
MAPPING = GenericMapping(
    delimiter=";",
    decimal_comma=False,
    timestamp_column="Beginn",
    consumption_columns=("Bezug [kWh]",),
    production_columns=("Einspeisung [kWh]",),
    metering_point_column="Messpunkt",
)


def parse(data: bytes, **_: object) -> ParsedFile:
    return parse_layout(data, MAPPING, HEADER, format=FORMAT)
