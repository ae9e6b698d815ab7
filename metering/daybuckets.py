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


MEASURED = 1  # metering.parsers.base.Quality: measured beats provisional (2) and estimated (3) on a tie


@dataclass(frozen=True, eq=False)
class Merge:
    """Delivered rows merged into what was stored, with per row how many slots are new, changed, unchanged
    or superseded (the delivery lost to a newer or better stored delivery there)."""

    values: np.ndarray  # int64 (rows, 96)
    quality: np.ndarray  # uint8 (rows, 96)
    taken: np.ndarray  # bool (rows, 96): the delivered slot wins; the delivery becomes its source
    lost: np.ndarray  # bool (rows, 96): the delivered slot differs from the stored one and lost to it
    stored_sources: np.ndarray  # int64 (rows, 96): the import each stored slot came from, 0 where none
    new: np.ndarray  # int64 per row: slots that had no value before
    changed: np.ndarray  # slots whose value or quality the delivery replaced
    unchanged: np.ndarray  # slots delivered again with the same value and quality
    superseded: np.ndarray  # slots that would have changed something but lost to the stored delivery
    stored: np.ndarray  # bool per row: a row was stored before

    @property
    def written(self) -> np.ndarray:
        """Rows the delivery changes: a value, a quality or only which delivery a slot comes from."""
        return self.taken.any(axis=1)

    def sources(self, import_id: int) -> np.ndarray:
        """Per slot the import it comes from once ``import_id`` is applied."""
        return np.where(self.taken, np.int64(import_id), self.stored_sources)

    def part(self, rows: slice) -> "Merge":
        return Merge(*(getattr(self, name)[rows] for name in _MERGE_FIELDS))


_MERGE_FIELDS = tuple(Merge.__dataclass_fields__)


def merge_days(
    stored: np.ndarray,
    stored_values: np.ndarray,
    stored_quality: np.ndarray,
    stored_sources: np.ndarray,
    stored_times: np.ndarray,
    delivered_values: np.ndarray,
    delivered_quality: np.ndarray,
    delivered_time: int,
) -> Merge:
    """Per slot the newer document wins; on a tie a measured stored value is not replaced by a provisional or
    estimated one. Slots the delivery does not carry keep what was stored. A newer document that delivers the same
    value still becomes the slot's source (``taken``), so that a document between the two cannot win later.

    ``stored`` tells per row whether a row was stored; where it is False, the stored matrices are not read.
    ``stored_times`` is the document time of each stored slot's source, ``delivered_time`` the delivery's (both
    in the same integer unit, e.g. microseconds since the epoch), so the outcome does not depend on the order
    in which documents arrive.
    """
    carried = delivered_quality != MISSING
    if not stored.any():  # a first delivery (the bulk of the data): every carried slot is new
        none = np.zeros(len(stored), np.int64)
        return Merge(
            delivered_values,
            delivered_quality,
            carried,
            np.zeros_like(carried),
            np.zeros(carried.shape, np.int64),
            new=np.count_nonzero(carried, axis=1),
            changed=none,
            unchanged=none,
            superseded=none,
            stored=stored,
        )
    had = (stored_quality != MISSING) & stored[:, None]
    same = (stored_values == delivered_values) & (stored_quality == delivered_quality)
    downgrade = (delivered_quality != MEASURED) & (stored_quality == MEASURED)
    # An equally new document with the same value leaves the slot (and its source) as it is: re-sending a file
    # costs no write.
    wins = ~had | (delivered_time > stored_times) | ((delivered_time == stored_times) & ~downgrade & ~same)
    taken = carried & wins
    lost = carried & ~wins & ~same
    keep = ~taken & stored[:, None]
    values = np.where(keep, stored_values, delivered_values)
    quality = np.where(keep, stored_quality, delivered_quality).astype(np.uint8)
    return Merge(
        values,
        quality,
        taken,
        lost,
        np.where(stored[:, None], stored_sources, 0),
        new=np.count_nonzero(carried & ~had, axis=1),
        changed=np.count_nonzero(taken & had & ~same, axis=1),
        unchanged=np.count_nonzero(carried & had & same, axis=1),
        superseded=np.count_nonzero(lost, axis=1),
        stored=stored,
    )


@dataclass(frozen=True, eq=False)
class DayRowBatch:
    """Day rows to write that share their leading fields (the series) and their trailing ones (import, time)."""

    leading: tuple
    ordinals: np.ndarray  # int64 date.toordinal() of each row's day
    values: np.ndarray  # int64 (rows, 96)
    quality: np.ndarray  # uint8 (rows, 96)
    sources: np.ndarray  # int64 (rows, 96): the import each slot comes from, 0 where none
    trailing: tuple

    def __len__(self) -> int:
        return len(self.ordinals)

    def tuples(self) -> list[tuple]:
        """One tuple per row: leading fields, day, values, quality and sources as bytes, trailing fields."""
        return [
            (
                *self.leading,
                date.fromordinal(ordinal),
                *to_bytes(values, quality),
                sources_to_bytes(sources, quality),
                *self.trailing,
            )
            for ordinal, values, quality, sources in zip(
                self.ordinals.tolist(), self.values, self.quality, self.sources, strict=True
            )
        ]


def to_bytes(values: np.ndarray, quality: np.ndarray) -> tuple[bytes, bytes]:
    return values.astype("<i8").tobytes(), quality.astype(np.uint8).tobytes()


def from_bytes(values: bytes, quality: bytes) -> tuple[np.ndarray, np.ndarray]:
    return np.frombuffer(bytes(values), dtype="<i8"), np.frombuffer(bytes(quality), dtype=np.uint8)


# Sources are stored compactly: most rows come from one import (a first delivery, or a re-delivery that wins every
# slot it carries). Such a row stores that import's id once (8 bytes), meaning "every delivered slot"; a row of
# several imports stores all 96 ids (768 bytes); an empty field means none (no slot delivered).
_ONE_SOURCE_BYTES = 8


def single_sources(sources: np.ndarray, quality: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of (rows, 96) matrices: whether one import supplies every delivered slot, and that import."""
    ids = sources.max(axis=1, initial=0)
    single = (sources == np.where(quality != MISSING, ids[:, None], 0)).all(axis=1)
    return single, ids


def sources_to_bytes(sources: np.ndarray, quality: np.ndarray) -> bytes:
    single, ids = single_sources(sources[None], quality[None])
    if single[0]:
        return ids.astype("<i8").tobytes()
    return sources.astype("<i8").tobytes()


def sources_from_bytes(sources: bytes, quality: bytes) -> np.ndarray:
    """A stored row's 96 sources (0 where nothing was delivered), from its sources and quality fields."""
    sources = bytes(sources)
    if len(sources) == _ONE_SOURCE_BYTES:
        delivered = np.frombuffer(bytes(quality), dtype=np.uint8) != MISSING
        return np.where(delivered, np.frombuffer(sources, dtype="<i8")[0], 0).astype(np.int64)
    if not sources:
        return np.zeros(SLOTS_PER_DAY, np.int64)
    return np.frombuffer(sources, dtype="<i8").copy()
