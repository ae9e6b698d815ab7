"""How to read a delimited meter export: which columns hold what. Saved per utility once confirmed."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Literal, get_args

Layout = Literal["long", "wide"]
Labels = Literal["start", "end"]
Unit = Literal["kWh", "kW"]

_CHOICES = {"layout": get_args(Layout), "labels": get_args(Labels), "unit": get_args(Unit)}


@dataclass(frozen=True)
class GenericMapping:
    """Column names refer to the header row; preamble labels to the first cell of a row above the header.

    Long layout: one row per quarter-hour, with a timestamp column (or a date and a time column) and value
    columns per direction (several columns of one direction are added up, like EKZ's HT and NT).
    Wide layout: one row per day (and direction); every header cell that is a time ("00:15" … "24:00") is a
    quarter-hour column.
    """

    delimiter: str = ";"
    header_row: int = 0  # 0-based line of the header; lines above it are preamble rows
    decimal_comma: bool | None = None  # None: decided per file from the values
    layout: Layout = "long"
    timestamp_column: str | None = None
    date_column: str | None = None
    time_column: str | None = None
    labels: Labels = "start"  # whether a time names the start or the end of its quarter-hour
    unit: Unit = "kWh"  # kW values are average power over the quarter-hour: kWh = kW × 0.25
    unit_label: str | None = None  # preamble row stating the unit ("Einheit","kW (Mittelwert 15 min)")
    unit_column: str | None = None  # wide layout: unit per row
    consumption_columns: tuple[str, ...] = ()
    production_columns: tuple[str, ...] = ()
    metering_point_column: str | None = None
    metering_point_label: str | None = None  # preamble row naming the metering point ("Messpunkt","CH…")
    direction_column: str | None = None  # wide layout: which direction a row holds
    consumption_values: tuple[str, ...] = ()
    production_values: tuple[str, ...] = ()
    quality_column: str | None = None
    measured_values: tuple[str, ...] = ()  # quality marks meaning measured; any other mark means estimated
    encoding: str | None = None  # None: detected per file

    def to_dict(self) -> dict[str, object]:
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> "GenericMapping":
        """Rebuild a saved mapping; unknown keys or values of the wrong kind raise ValueError."""
        known = {field.name: field for field in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown mapping keys: {', '.join(unknown)}")
        values: dict[str, object] = {}
        for key, value in data.items():
            default = known[key].default
            if isinstance(default, tuple):
                if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
                    raise ValueError(f"{key} must be a list of texts")
                value = tuple(value)
            elif key in _CHOICES and value not in _CHOICES[key]:
                raise ValueError(f"{key} must be one of {', '.join(_CHOICES[key])}")
            elif key == "header_row" and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise ValueError("header_row must be a whole number from 0")
            elif key == "decimal_comma" and value is not None and not isinstance(value, bool):
                raise ValueError("decimal_comma must be true, false or null")
            elif key not in ("header_row", "decimal_comma") and value is not None and not isinstance(value, str):
                raise ValueError(f"{key} must be a text")
            values[key] = value
        mapping = cls(**values)  # type: ignore[arg-type]
        if mapping.delimiter not in (";", ",", "\t"):
            raise ValueError("delimiter must be ';', ',' or a tab")
        return mapping
