"""Long tables: one row per quarter-hour, a timestamp (or date and time) and value columns per direction."""

import numpy as np

from metering.parsers.base import Quality, Series
from metering.parsers.localtime import MINUTES_PER_DAY, to_utc
from metering.parsers.series_builder import Readings, SeriesKey, first_occurrences
from metering.parsers.table_reader import DIRECTIONS, TableReader
from metering.parsers.timestamps import parse_column, parse_date, parse_datetime, parse_time


class LongReader(TableReader):
    """One row per quarter-hour: a timestamp (or date and time) and value columns per direction."""

    def series(self) -> list[Series]:
        mapping, table = self.mapping, self.table
        value_columns = {
            direction: [index for name in names if (index := self.column(name, f"{direction} values")) is not None]
            for direction, names in zip(
                DIRECTIONS, (mapping.consumption_columns, mapping.production_columns), strict=True
            )
        }
        quality_index = self.column(mapping.quality_column, "quality")
        points, names = self.metering_points()
        unit = self.unit()
        slot, timed = self.slots(points)
        if unit is None or self.columns_missing or slot is None:
            return []
        if not any(value_columns.values()):
            self.unmapped("values")
            return []
        rows = np.flatnonzero(timed)
        kept = rows[
            first_occurrences(
                points[rows],
                slot[rows],
                lambda code: names[code] or "the file's metering point",
                lambda entry: table.where(int(rows[entry])),
                self.issues,
            )
        ]
        quality = self.quality(quality_index)
        kilowatt = np.full(len(table.lines), unit == "kW")
        decimal_comma = self.decimal_comma([i for columns in value_columns.values() for i in columns])
        keys, parts, entry_rows = [], [], []
        for direction_index, direction in enumerate(DIRECTIONS):
            keys += [SeriesKey(name, direction) for name in names]
            if not value_columns[direction]:
                continue
            total, delivered = self.added_up(value_columns[direction], kilowatt, decimal_comma)
            chosen = kept[delivered[kept]]
            group = points[chosen] + direction_index * len(names)
            parts.append(Readings(group, slot[chosen], total[chosen], quality[chosen]))
            entry_rows.append(chosen)
        locate_rows = np.concatenate(entry_rows) if entry_rows else np.zeros(0, np.int64)
        return self.build(keys, parts, locate_rows, table.where)

    def added_up(self, columns: list[int], kilowatt: np.ndarray, decimal_comma: bool) -> tuple[np.ndarray, np.ndarray]:
        """mWh per row over the columns of one direction (EKZ: HT + NT), and which rows deliver a value.

        An empty cell adds nothing; a row with a bad cell delivers nothing (the cell is reported).
        """
        mwh, ok, empty = self.energies(columns, kilowatt, decimal_comma)
        total = np.where(ok, mwh, 0).sum(axis=1)
        return total, ok.any(axis=1) & (ok | empty).all(axis=1)

    def slots(self, points: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        mapping, table = self.mapping, self.table
        rows = len(table.lines)
        if mapping.timestamp_column is not None:
            index = self.column(mapping.timestamp_column, "timestamp")
            if index is None:
                return None, np.zeros(rows, bool)
            parsed = parse_column(table.columns[index], parse_datetime)
            self.timestamp_problems(np.flatnonzero(parsed.error), index, parsed.reasons, parsed.error)
            wall, ok, column = parsed.wall, parsed.error == 0, index
            explicit = parsed.has_offset
            utc_explicit = parsed.wall - parsed.offset - (15 if mapping.labels == "end" else 0)
        else:
            if mapping.date_column is None and mapping.time_column is None:
                self.unmapped("timestamp")
                return None, np.zeros(rows, bool)
            date_index = self.require(mapping.date_column, "date")
            time_index = self.require(mapping.time_column, "time")
            if date_index is None or time_index is None:
                return None, np.zeros(rows, bool)
            days = parse_column(table.columns[date_index], parse_date)
            times = parse_column(table.columns[time_index], parse_time)
            self.timestamp_problems(np.flatnonzero(days.error), date_index, days.reasons, days.error)
            self.timestamp_problems(np.flatnonzero(times.error), time_index, times.reasons, times.error)
            wall = days.wall * MINUTES_PER_DAY + times.wall
            ok, column = (days.error == 0) & (times.error == 0), time_index
            explicit, utc_explicit = np.zeros(rows, bool), wall
        slot = np.zeros(rows, np.int64)
        local = np.flatnonzero(ok & ~explicit)
        utc, missing = to_utc(wall[local], points[local], interval_end=mapping.labels == "end")
        slot[local] = utc // 15
        self.timestamp_problems(
            local[missing],
            column,
            "this time does not exist in Swiss local time (the clocks skip 02:00–03:00)",
        )
        ok[local[missing]] = False
        stated = np.flatnonzero(ok & explicit)
        slot[stated] = utc_explicit[stated] // 15
        off_grid = stated[utc_explicit[stated] % 15 != 0]
        self.timestamp_problems(off_grid, column, "not on a quarter-hour in UTC")
        ok[off_grid] = False
        return slot, ok

    def quality(self, index: int | None) -> np.ndarray:
        rows = len(self.table.lines)
        if index is None:
            return np.full(rows, Quality.MEASURED, np.uint8)
        codes, marks = self.table.columns[index].factorize()
        by_mark = np.array(
            [Quality.MEASURED if mark in self.mapping.measured_values else Quality.ESTIMATED for mark in marks],
            np.uint8,
        )
        return by_mark[codes]
