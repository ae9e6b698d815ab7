"""Cutting a series into UTC-day rows of 96 slots and merging a delivery into stored rows.

Pure numpy: no models, so it can be tested and benchmarked alone.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

SLOTS_PER_DAY = 96
_SLOT_SECONDS = 15 * 60
MISSING = 0


@dataclass(frozen=True, eq=False)
class DayRows:
    """The UTC-day rows of one series that hold at least one delivered slot, as (rows, 96) matrices."""

    first_day: date
    offsets: np.ndarray  # int64: days after first_day, one per row
    values: np.ndarray  # int64 (rows, 96), mWh
    quality: np.ndarray  # uint8 (rows, 96), 0 where not delivered

    def __len__(self) -> int:
        return len(self.offsets)

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=offset) for offset in self.offsets.tolist()]


def split_into_days(start: datetime, values: np.ndarray, quality: np.ndarray) -> DayRows:
    """Rows for every UTC day the series touches; slots outside it stay MISSING."""
    start = start.astimezone(UTC)
    first_day = start.date()
    offset = (start - datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)).total_seconds()
    if offset % _SLOT_SECONDS:
        raise ValueError(f"series start {start.isoformat()} is not on a quarter-hour")
    lead = int(offset // _SLOT_SECONDS)
    total = lead + len(values)
    days = -(-total // SLOTS_PER_DAY)
    padded_values = np.zeros(days * SLOTS_PER_DAY, dtype=np.int64)
    padded_quality = np.zeros(days * SLOTS_PER_DAY, dtype=np.uint8)
    padded_values[lead:total] = values
    padded_quality[lead:total] = quality
    padded_values = padded_values.reshape(days, SLOTS_PER_DAY)
    padded_quality = padded_quality.reshape(days, SLOTS_PER_DAY)
    kept = np.flatnonzero(padded_quality.any(axis=1))
    if len(kept) == days:  # the usual case: no copy
        return DayRows(first_day, kept, padded_values, padded_quality)
    return DayRows(first_day, kept, padded_values[kept], padded_quality[kept])


@dataclass(frozen=True, eq=False)
class Merge:
    """Delivered rows merged into what was stored, with per row how many slots are new, changed, unchanged."""

    values: np.ndarray  # int64 (rows, 96)
    quality: np.ndarray  # uint8 (rows, 96)
    new: np.ndarray  # int64 per row: slots that had no value before
    changed: np.ndarray  # slots whose value or quality the delivery replaced
    unchanged: np.ndarray  # slots delivered again with the same value and quality
    stored: np.ndarray  # bool per row: a row was stored before

    @property
    def written(self) -> np.ndarray:
        """Rows whose content the delivery changes: only those are written."""
        return (self.new > 0) | (self.changed > 0)

    def part(self, rows: slice) -> "Merge":
        return Merge(
            self.values[rows],
            self.quality[rows],
            self.new[rows],
            self.changed[rows],
            self.unchanged[rows],
            self.stored[rows],
        )


def merge_days(
    stored: np.ndarray,
    stored_values: np.ndarray,
    stored_quality: np.ndarray,
    delivered_values: np.ndarray,
    delivered_quality: np.ndarray,
) -> Merge:
    """The latest delivery wins for the slots it carries; the other slots keep what was stored.

    ``stored`` tells per row whether a row was stored; where it is False, the stored matrices are not read.
    """
    carried = delivered_quality != MISSING
    had = (stored_quality != MISSING) & stored[:, None]
    same = (stored_values == delivered_values) & (stored_quality == delivered_quality)
    values = np.where(carried | ~stored[:, None], delivered_values, stored_values)
    quality = np.where(carried | ~stored[:, None], delivered_quality, stored_quality).astype(np.uint8)
    return Merge(
        values,
        quality,
        new=np.count_nonzero(carried & ~had, axis=1),
        changed=np.count_nonzero(carried & had & ~same, axis=1),
        unchanged=np.count_nonzero(carried & had & same, axis=1),
        stored=stored,
    )


@dataclass(frozen=True, eq=False)
class DayRowBatch:
    """Day rows to write that share their leading fields (the series) and their trailing ones (import, time)."""

    leading: tuple
    ordinals: np.ndarray  # int64 date.toordinal() of each row's day
    values: np.ndarray  # int64 (rows, 96)
    quality: np.ndarray  # uint8 (rows, 96)
    trailing: tuple

    def __len__(self) -> int:
        return len(self.ordinals)

    def tuples(self) -> list[tuple]:
        """One tuple per row: leading fields, day, values and quality as bytes, trailing fields."""
        return [
            (*self.leading, date.fromordinal(ordinal), *to_bytes(values, quality), *self.trailing)
            for ordinal, values, quality in zip(self.ordinals.tolist(), self.values, self.quality, strict=True)
        ]


def to_bytes(values: np.ndarray, quality: np.ndarray) -> tuple[bytes, bytes]:
    return values.astype("<i8").tobytes(), quality.astype(np.uint8).tobytes()


def from_bytes(values: bytes, quality: bytes) -> tuple[np.ndarray, np.ndarray]:
    return np.frombuffer(bytes(values), dtype="<i8"), np.frombuffer(bytes(quality), dtype=np.uint8)
