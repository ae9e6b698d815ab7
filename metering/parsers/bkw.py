"""BKW (myBKW CSV export), verified by two public importers. See domain.md B3.

``Messpunkt;Datum;Strombezug [kWh];Stromeinspeisung [kWh];Messdatengüte``, local time ``D.M.YYYY HH:MM:SS``
labelling the interval start, both directions in one row, quality ``W`` for valid measurements (any other
mark is kept as estimated). One file may hold several metering points.
"""

from metering.parsers.base import ParsedFile
from metering.parsers.mapping import GenericMapping
from metering.parsers.tabular import parse_layout

FORMAT = "bkw"
HEADER = ("Messpunkt", "Datum", "Strombezug [kWh]", "Stromeinspeisung [kWh]", "Messdatengüte")
MAPPING = GenericMapping(
    delimiter=";",
    metering_point_column="Messpunkt",
    timestamp_column="Datum",
    consumption_columns=("Strombezug [kWh]",),
    production_columns=("Stromeinspeisung [kWh]",),
    quality_column="Messdatengüte",
    measured_values=("W",),
)


def parse(data: bytes, **_: object) -> ParsedFile:
    return parse_layout(data, MAPPING, HEADER, format=FORMAT)
