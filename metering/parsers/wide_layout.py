"""Wide tables: one row per local day (and direction), one column per quarter-hour labelled by its time."""

import numpy as np

from metering.parsers.base import Quality, Series
from metering.parsers.localtime import MINUTES_PER_DAY, quarter_hours_in_local_day, to_utc, utc_datetime
from metering.parsers.series_builder import Readings, SeriesKey
from metering.parsers.table_reader import DIRECTIONS, TableReader, unit_of
from metering.parsers.timestamps import TIME, TimestampError, parse_column, parse_date, parse_time


class WideReader(TableReader):
    """One row per day (and direction); each header cell that is a time is a quarter-hour column."""

    def series(self) -> list[Series]:
        mapping, table = self.mapping, self.table
        date_index = self.require(mapping.date_column, "date")
        direction_index = self.column(mapping.direction_column, "direction")
        unit_index = self.column(mapping.unit_column, "unit")
        points, names = self.metering_points()
        fixed = {date_index, direction_index, unit_index}
        if mapping.metering_point_column is not None:
            fixed.add(self.table.index(mapping.metering_point_column))
        slot_columns, labels = self.slot_columns(fixed)
        if date_index is None or self.columns_missing or not slot_columns:
            return []
        days = parse_column(table.columns[date_index], parse_date)
        self.timestamp_problems(np.flatnonzero(days.error), date_index, days.reasons, days.error)
        directions, known_direction = self.directions(direction_index)
        kilowatt, known_unit = self.row_units(unit_index)
        row_ok = (days.error == 0) & known_direction & known_unit
        self.check_day_lengths(np.flatnonzero(row_ok), days.wall, labels)

        decimal_comma = self.decimal_comma(slot_columns)
        mwh, ok, _ = self.energies(slot_columns, kilowatt, decimal_comma)
        delivered = ok & row_ok[:, None]
        rows, positions = np.nonzero(delivered)  # row-major: file order, which resolves the repeated hour
        group = directions[rows] * len(names) + points[rows]
        wall = days.wall[rows] * MINUTES_PER_DAY + np.asarray(labels)[positions]
        utc, missing = to_utc(wall, group, interval_end=mapping.labels == "end")
        columns = np.asarray(slot_columns)
        cell_of = rows * len(table.header) + columns[positions]

        def where(cell: int) -> str:
            return table.where(cell // len(table.header), cell % len(table.header))

        def nonexistent(entry: int) -> tuple[str, str, dict[str, object]]:
            day = utc_datetime(int(days.wall[rows[entry]]) * MINUTES_PER_DAY).date()
            label = table.header[int(columns[positions[entry]])]
            return (
                where(int(cell_of[entry])),
                (
                    f"{label} does not exist in Swiss local time on {day:%d.%m.%Y} "
                    "(the clocks skip 02:00–03:00), but the cell holds a value."
                ),
                {"value": f"{day:%d.%m.%Y} {label}", "detail": "does not exist"},
            )

        self.issues.problem_each("bad_timestamp", np.flatnonzero(missing), nonexistent)
        exists = ~missing
        keys = [SeriesKey(name, direction) for direction in DIRECTIONS for name in names]
        readings = Readings(
            group[exists],
            utc[exists] // 15,
            mwh[rows, positions][exists],
            np.full(int(np.count_nonzero(exists)), Quality.MEASURED, np.uint8),
        )
        return self.build(keys, [readings], cell_of[exists], where)

    def slot_columns(self, fixed: set[int | None]) -> tuple[list[int], list[int]]:
        columns, labels = [], []
        for index, name in enumerate(self.table.header):
            if index in fixed or not TIME.fullmatch(name):
                continue
            try:
                labels.append(parse_time(name))
            except TimestampError as exc:
                self.issues.problem(
                    "bad_timestamp",
                    f"line {self.table.header_line}, column '{name}'",
                    f"The column label '{name}' is not a usable time: {exc}.",
                    value=name,
                    detail=str(exc),
                )
                continue
            columns.append(index)
        if not columns:
            self.issues.problem(
                "no_slot_columns", f"line {self.table.header_line}", "No quarter-hour columns (00:15 … 24:00)."
            )
        return columns, labels

    def directions(self, index: int | None) -> tuple[np.ndarray, np.ndarray]:
        rows = len(self.table.lines)
        if index is None:
            return np.zeros(rows, np.int64), np.ones(rows, bool)
        codes, values = self.table.columns[index].factorize()
        mapping = self.mapping
        meaning = np.array(
            [
                0 if value in mapping.consumption_values else 1 if value in mapping.production_values else -1
                for value in values
            ],
            np.int64,
        )
        unknown = np.flatnonzero(meaning[codes] < 0)
        cells = self.table.columns[index]
        self.issues.problem_each(
            "unknown_direction",
            unknown,
            lambda row: (
                self.table.where(row, index),
                f"'{cells.text(row)}' is neither a consumption nor a production mark.",
                {"value": cells.text(row)},
            ),
        )
        return np.maximum(meaning[codes], 0), meaning[codes] >= 0

    def row_units(self, index: int | None) -> tuple[np.ndarray, np.ndarray]:
        rows = len(self.table.lines)
        if index is None:
            unit = self.unit()
            return np.full(rows, unit == "kW"), np.full(rows, unit is not None)
        codes, stated = self.table.columns[index].factorize()
        units = [unit_of(text) for text in stated]
        cells = self.table.columns[index]
        unknown = np.flatnonzero(np.array([unit is None for unit in units], bool)[codes])
        self.issues.problem_each(
            "unsupported_unit",
            unknown,
            lambda row: (
                self.table.where(row, index),
                f"The unit '{cells.text(row)}' is not supported; expected kWh or kW.",
                {"value": cells.text(row)},
            ),
        )
        # bool arrays even when no row is left: an empty list would make float arrays that cannot be combined
        kilowatt = np.array([unit == "kW" for unit in units], bool)
        known = np.array([unit is not None for unit in units], bool)
        return kilowatt[codes], known[codes]

    def check_day_lengths(self, rows: np.ndarray, days: np.ndarray, labels: list[int]) -> None:
        """A row claims a whole local day: its columns must hold all of that day's quarter-hours."""
        label_wall = np.asarray(labels, np.int64)
        for day in np.unique(days[rows]):
            utc, missing = to_utc(
                int(day) * MINUTES_PER_DAY + label_wall,
                np.zeros(len(labels), np.int64),
                interval_end=self.mapping.labels == "end",
            )
            found = len(np.unique(utc[~missing]))
            calendar_day = utc_datetime(int(day) * MINUTES_PER_DAY).date()
            expected = quarter_hours_in_local_day(calendar_day)
            if found >= expected:
                continue
            for row in rows[days[rows] == day]:
                self.issues.problem(
                    "wrong_day_length",
                    self.table.where(int(row)),
                    f"The row for {calendar_day:%d.%m.%Y} has columns for {found} quarter-hours, "
                    f"but that local day has {expected}.",
                    day=calendar_day.isoformat(),
                    found=found,
                    expected=expected,
                )
