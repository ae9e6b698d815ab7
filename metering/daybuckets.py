"""Cutting a series into UTC-day rows of 96 slots and merging a delivery into stored rows.

Pure numpy: no models, so it can be tested and benchmarked alone.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

SLOTS_PER_DAY = 96
_SLOT_SECONDS = 15 * 60
MISSING = 0


@dataclass(frozen=True)
class DayRow:
    day: date
    values: np.ndarray  # int64[96], mWh
    quality: np.ndarray  # uint8[96], 0 where not delivered


def split_into_days(start: datetime, values: np.ndarray, quality: np.ndarray) -> list[DayRow]:
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
    return [
        DayRow(first_day + timedelta(days=n), padded_values[n], padded_quality[n])
        for n in range(days)
        if padded_quality[n].any()
    ]


@dataclass(frozen=True)
class Merge:
    values: np.ndarray
    quality: np.ndarray
    new: int  # slots that had no value before
    changed: int  # slots whose value or quality the delivery replaced
    unchanged: int  # slots delivered again with the same value and quality


def merge_day(stored_values: np.ndarray | None, stored_quality: np.ndarray | None, delivered: DayRow) -> Merge:
    """The latest delivery wins for the slots it carries; the other slots keep what was stored."""
    carried = delivered.quality != MISSING
    if stored_values is None:
        return Merge(delivered.values.copy(), delivered.quality.copy(), int(carried.sum()), 0, 0)
    had = stored_quality != MISSING
    same = (stored_values == delivered.values) & (stored_quality == delivered.quality)
    values = np.where(carried, delivered.values, stored_values)
    quality = np.where(carried, delivered.quality, stored_quality).astype(np.uint8)
    return Merge(
        values,
        quality,
        new=int((carried & ~had).sum()),
        changed=int((carried & had & ~same).sum()),
        unchanged=int((carried & had & same).sum()),
    )


def to_bytes(values: np.ndarray, quality: np.ndarray) -> tuple[bytes, bytes]:
    return values.astype("<i8").tobytes(), quality.astype(np.uint8).tobytes()


def from_bytes(values: bytes, quality: bytes) -> tuple[np.ndarray, np.ndarray]:
    return np.frombuffer(bytes(values), dtype="<i8"), np.frombuffer(bytes(quality), dtype=np.uint8)
