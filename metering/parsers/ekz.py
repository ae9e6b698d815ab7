"""EKZ (myEKZ CSV export), verified by proxy: ``sep=;``, ``Zeitraum;HT [kWh];NT [kWh]``. See domain.md B2.

Local time, interval start; a value stands in the HT or the NT column (both are consumption, added up). The
export names no metering point: the caller must say which one it belongs to.
"""

from metering.parsers.base import ParsedFile
from metering.parsers.mapping import GenericMapping
from metering.parsers.tabular import parse_layout

FORMAT = "ekz"
HEADER = ("Zeitraum", "HT [kWh]", "NT [kWh]")
MAPPING = GenericMapping(
    delimiter=";", header_row=1, timestamp_column="Zeitraum", consumption_columns=("HT [kWh]", "NT [kWh]")
)


def parse(data: bytes, **_: object) -> ParsedFile:
    return parse_layout(data, MAPPING, HEADER, format=FORMAT)
