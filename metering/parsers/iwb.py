"""IWB: UNVERIFIED proposed layout (no real export found). See domain.md B4.

Preamble rows ``"Messpunkt","CH…"`` and ``"Einheit","kW (Mittelwert 15 min)"``, then quoted, comma-separated
``Zeitstempel,Leistung Bezug,Leistung Einspeisung``: average power in kW per quarter-hour (kWh = kW × 0.25).
"""

from metering.parsers.base import ParsedFile
from metering.parsers.mapping import GenericMapping
from metering.parsers.tabular import parse_layout

FORMAT = "iwb"
HEADER = ("Zeitstempel", "Leistung Bezug", "Leistung Einspeisung")
MAPPING = GenericMapping(
    delimiter=",",
    header_row=2,
    decimal_comma=False,
    timestamp_column="Zeitstempel",
    unit="kW",
    unit_label="Einheit",
    consumption_columns=("Leistung Bezug",),
    production_columns=("Leistung Einspeisung",),
    metering_point_label="Messpunkt",
)


def parse(data: bytes, **_: object) -> ParsedFile:
    return parse_layout(data, MAPPING, HEADER, format=FORMAT)
