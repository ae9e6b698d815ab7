"""AEW: UNVERIFIED proposed layout (no real export found). See domain.md B4.

Wide: ``Messpunkt;Datum;Richtung;Einheit;00:15;…;24:00``, one row per day and direction (``Bezug`` or
``Einspeisung``), 96 columns labelled by interval END, decimal comma.
"""

from metering.parsers.base import ParsedFile
from metering.parsers.mapping import GenericMapping
from metering.parsers.tabular import parse_layout

FORMAT = "aew"
SLOT_LABELS = tuple(f"{minutes // 60:02d}:{minutes % 60:02d}" for minutes in range(15, 1441, 15))
HEADER = ("Messpunkt", "Datum", "Richtung", "Einheit", *SLOT_LABELS)
MAPPING = GenericMapping(
    delimiter=";",
    decimal_comma=True,
    layout="wide",
    date_column="Datum",
    labels="end",
    unit_column="Einheit",
    metering_point_column="Messpunkt",
    direction_column="Richtung",
    consumption_values=("Bezug",),
    production_values=("Einspeisung",),
)


def parse(data: bytes, **_: object) -> ParsedFile:
    return parse_layout(data, MAPPING, HEADER, format=FORMAT)
