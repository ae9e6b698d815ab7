"""What every table layout needs: mapped columns, metering points, units and exactly parsed energy values."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from metering.parsers.base import METERING_POINT_ID, Direction, Issues, Series, check_metering_point
from metering.parsers.cells import Cells
from metering.parsers.decimals import REASONS, NumberStatus, parse_decimals
from metering.parsers.mapping import GenericMapping
from metering.parsers.series_builder import Readings, SeriesKey, build_series
from metering.parsers.table import Table

DIRECTIONS: tuple[Direction, Direction] = ("consumption", "production")


def unit_of(text: str) -> str | None:
    """ "kWh …" or "kW …" (as preamble rows and unit columns state it)."""
    lowered = text.strip().lower()
    if lowered.startswith("kwh"):
        return "kWh"
    if lowered.startswith("kw"):
        return "kW"
    return None


@dataclass
class TableReader:
    table: Table
    mapping: GenericMapping
    issues: Issues
    meta: dict[str, str]

    def require(self, name: str | None, role: str) -> int | None:
        """Index of a column the layout needs; unmapped or missing is a problem."""
        if name is None:
            self.unmapped(role)
            return None
        return self.column(name, role)

    def unmapped(self, role: str) -> None:
        """The mapping names no column for ``role`` ("timestamp", "date", "time", "values")."""
        self.issues.problem(
            "unmapped_column", f"line {self.table.header_line}", f"The mapping names no {role} column.", role=role
        )

    @property
    def columns_missing(self) -> bool:
        return self.issues.has_problem("missing_column") or self.issues.has_problem("unmapped_column")

    def column(self, name: str | None, what: str | None = None) -> int | None:
        """Index of a mapped column; a mapped column missing from the header is a problem."""
        if name is None:
            return None
        index = self.table.index(name)
        if index is None:
            self.issues.problem(
                "missing_column",
                f"line {self.table.header_line}",
                f"The column '{name}'{f' ({what})' if what else ''} is missing from the header.",
                column=name,
            )
        return index

    def metering_points(self) -> tuple[np.ndarray, list[str | None]]:
        """A code per row and the metering points they stand for (one None when the file names none)."""
        rows = len(self.table.lines)
        mapping = self.mapping
        if mapping.metering_point_column is not None:
            index = self.column(mapping.metering_point_column, "metering point")
            if index is not None:
                codes, names = self.table.columns[index].factorize()
                self.check_metering_points(index, names, first_rows_of(codes))
                return codes, list(names)
        elif mapping.metering_point_label is not None:
            value = self.table.preamble_value(mapping.metering_point_label)
            if value is None:
                self.issues.problem(
                    "missing_column",
                    f"line {self.table.header_line}",
                    f"The row '{mapping.metering_point_label}' above the header is missing.",
                    column=mapping.metering_point_label,
                )
            elif check_metering_point(value, self.preamble_line(mapping.metering_point_label), self.issues):
                self.meta["metering_point"] = value
                return np.zeros(rows, np.int64), [value]
        return np.zeros(rows, np.int64), [None]

    def check_metering_points(self, index: int, names: list[str], first_rows: np.ndarray) -> None:
        """Ids are checked once each; a column of several bad ids is one problem about the column."""
        bad = [code for code, name in enumerate(names) if not METERING_POINT_ID.fullmatch(name)]
        if len(bad) == 1:
            check_metering_point(names[bad[0]], self.table.where(int(first_rows[bad[0]]), index), self.issues)
        elif bad:
            column, value, line = self.table.header[index], names[bad[0]], int(self.table.lines[first_rows[bad[0]]])
            self.issues.problem(
                "bad_metering_point_column",
                f"column '{column}'",
                f"The column '{column}' holds {len(bad)} values that are no metering point ids, the first "
                f"'{value}' on line {line}.",
                column=column,
                count=len(bad),
                value=value,
                line=line,
            )

    def unit(self) -> str | None:
        label = self.mapping.unit_label
        if label is None:
            return self.mapping.unit
        stated = self.table.preamble_value(label)
        if stated is None:
            return self.mapping.unit
        unit = unit_of(stated)
        if unit is None:
            self.issues.problem(
                "unsupported_unit",
                self.preamble_line(label),
                f"The unit '{stated}' is not supported; expected kWh or kW.",
                value=stated,
            )
        else:
            self.meta["unit"] = stated
        return unit

    def decimal_comma(self, columns: Sequence[int]) -> bool:
        if self.mapping.decimal_comma is not None:
            return self.mapping.decimal_comma
        rows, parts = len(self.table.lines), [self.table.columns[index] for index in sorted(columns)]
        cells = Cells.concat(parts)  # column after column: file order when quotes made a buffer for the cells
        if len(parts) > 1 and rows and cells.data is parts[0].data and not cells.in_order():
            cells = cells.take(np.arange(len(cells)).reshape(len(parts), rows).T.ravel())  # row by row: plain files
        cells = cells.in_file_order()  # one pass over the file below, however many columns
        return cells.count_byte(ord(",")) > 0 and not cells.count_byte(ord("."))

    def energies(
        self, columns: Sequence[int], kilowatt: np.ndarray, decimal_comma: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """mWh per row and column, whether a cell holds a usable value, whether it is empty; bad values reported.

        All columns are parsed in one go: a wide table has a column per quarter-hour (or, broken, 100,000).
        """
        rows, width = len(self.table.lines), len(columns)
        cells = Cells.concat([self.table.columns[index] for index in columns])  # column after column
        numbers = parse_decimals(cells, decimal_comma=decimal_comma)
        kilowatt = np.tile(kilowatt, width)
        uneven = kilowatt & numbers.ok & (numbers.micro % 4 != 0)
        negative = numbers.ok & (numbers.micro < 0)
        mwh = np.where(kilowatt, numbers.micro // 4, numbers.micro)
        header, where = self.table.header, self.table.where

        def bad_number(entry: int) -> tuple[str, str, dict[str, object]]:
            text, index = cells.text(entry), columns[entry // rows]
            reason = (
                "is too precise: kW × 0.25 h is not a whole number of mWh"
                if uneven[entry]
                else REASONS[NumberStatus(numbers.status[entry])]
            )
            return where(entry % rows, index), f"'{text}' {reason}.", {"value": text, "column": header[index]}

        def negative_value(entry: int) -> tuple[str, str, dict[str, object]]:
            text, index = cells.text(entry), columns[entry // rows]
            return (
                where(entry % rows, index),
                f"'{text}' is negative; energy values must not be negative.",
                {"value": text, "column": header[index]},
            )

        broken = ~numbers.ok & (numbers.status != NumberStatus.EMPTY)
        self.issues.problem_each("bad_number", np.flatnonzero(broken | uneven), bad_number)
        self.issues.problem_each("negative_value", np.flatnonzero(negative & ~uneven), negative_value)
        usable = numbers.ok & ~uneven & ~negative
        empty = numbers.status == NumberStatus.EMPTY
        return mwh.reshape(width, rows).T, usable.reshape(width, rows).T, empty.reshape(width, rows).T

    def timestamp_problems(
        self, rows: np.ndarray, column: int, detail: str | Sequence[str], error: np.ndarray | None = None
    ) -> None:
        cells = self.table.columns[column]

        def describe(row: int) -> tuple[str, str, dict[str, object]]:
            text = cells.text(row)
            why = detail if isinstance(detail, str) else detail[int(error[row]) - 1]  # type: ignore[index]
            return (
                self.table.where(row, column),
                f"'{text}' is not a usable timestamp: {why}.",
                {"value": text, "detail": why, "column": self.table.header[column]},
            )

        self.issues.problem_each("bad_timestamp", rows, describe)

    def build(
        self,
        keys: list[SeriesKey],
        parts: list[Readings],
        locate_entry: np.ndarray,
        locate: Callable[[int], str],
    ) -> list[Series]:
        series = build_series(keys, Readings.concat(parts), lambda entry: locate(int(locate_entry[entry])), self.issues)
        position = {(key.metering_point, key.direction): n for n, key in enumerate(keys)}
        order = {point: n for n, point in enumerate(dict.fromkeys(key.metering_point for key in keys))}
        return sorted(series, key=lambda s: (order[s.metering_point], position[(s.metering_point, s.direction)]))

    def preamble_line(self, label: str) -> str:
        for number, row in enumerate(self.table.preamble, 1):
            if row and row[0] == label:
                return f"line {number}"
        return f"line {self.table.header_line}"


def first_rows_of(codes: np.ndarray) -> np.ndarray:
    """Where each code first appears, for codes numbered in order of first appearance."""
    seen_before = np.maximum.accumulate(np.concatenate(([-1], codes[:-1])))
    return np.flatnonzero(codes > seen_before)
