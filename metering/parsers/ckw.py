"""CKW: UNVERIFIED proposed layout (no real export found). See domain.md B4.

Windows-1252, ``Datum;Zeit;Bezug [kWh];Rücklieferung [kWh]``, decimal comma, times label the interval END
(``00:15`` … ``24:00``). No metering point in the file: the caller supplies it.
"""

from metering.parsers.base import ParsedFile
from metering.parsers.mapping import GenericMapping
from metering.parsers.tabular import parse_layout

FORMAT = "ckw"
HEADER = ("Datum", "Zeit", "Bezug [kWh]", "Rücklieferung [kWh]")
MAPPING = GenericMapping(
    delimiter=";",
    decimal_comma=True,
    date_column="Datum",
    time_column="Zeit",
    labels="end",
    consumption_columns=("Bezug [kWh]",),
    production_columns=("Rücklieferung [kWh]",),
)


def parse(data: bytes, **_: object) -> ParsedFile:
    return parse_layout(data, MAPPING, HEADER, format=FORMAT)
