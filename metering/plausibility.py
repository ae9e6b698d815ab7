"""Plausibility of delivered quarter-hour values: notes, not rejections. Pure numpy, no Django.

Three kinds, each summed up per Europe/Zurich day (how many slots, the largest value, the limit), so that a
broken file gives a few notes instead of thousands:

- ``capacity``: more energy in a quarter-hour than the connection capacity allows (kW × 0.25 h);
- ``night``: production above 1 Wh while the sun is further below the horizon than civil twilight;
- ``spike``: a value many times the point's usual level (a high percentile of its non-zero values).
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from metering.parsers.localtime import EPOCH_ORDINAL, local_day_numbers

MWH_PER_KWH_QUARTER_HOUR_PER_KW = 250_000  # 1 kW for 0.25 h = 0.25 kWh = 250,000 mWh
NIGHT_PRODUCTION_MWH = 1000  # production above 1 Wh at night is noted
_J2000_MINUTES = 10957.5 * 1440  # 2000-01-01 12:00 UTC in minutes since the epoch


@dataclass(frozen=True)
class Note:
    kind: str  # "capacity", "night", "spike"
    day: date  # Europe/Zurich
    count: int  # quarter-hours of the day concerned
    largest_mwh: int
    limit_mwh: int


def solar_elevation(utc_minutes: np.ndarray, latitude: float, longitude: float) -> np.ndarray:
    """The sun's elevation in degrees above the horizon at the given instants (minutes since the epoch, UTC).

    The low-precision solar position of the Astronomical Almanac (about 0.01° in declination), which is plenty to
    tell day from night.
    """
    days = (np.asarray(utc_minutes, np.float64) - _J2000_MINUTES) / 1440.0
    mean_longitude = np.radians((280.460 + 0.9856474 * days) % 360)
    anomaly = np.radians((357.528 + 0.9856003 * days) % 360)
    ecliptic = mean_longitude + np.radians(1.915 * np.sin(anomaly) + 0.020 * np.sin(2 * anomaly))
    obliquity = np.radians(23.439 - 0.0000004 * days)
    right_ascension = np.arctan2(np.cos(obliquity) * np.sin(ecliptic), np.cos(ecliptic))
    declination = np.arcsin(np.sin(obliquity) * np.sin(ecliptic))
    sidereal = np.radians((280.46061837 + 360.98564736629 * days + longitude) % 360)
    hour_angle = sidereal - right_ascension
    phi = np.radians(latitude)
    sine = np.sin(phi) * np.sin(declination) + np.cos(phi) * np.cos(declination) * np.cos(hour_angle)
    return np.degrees(np.arcsin(np.clip(sine, -1.0, 1.0)))


def usual_limit(values: np.ndarray, quality: np.ndarray, *, factor: int, min_slots: int) -> int | None:
    """``factor`` × the 95th percentile of the non-zero delivered values, when at least ``min_slots`` are delivered."""
    delivered = quality != 0
    if np.count_nonzero(delivered) < min_slots:
        return None
    nonzero = values[delivered & (values > 0)]
    if not len(nonzero):
        return None
    return factor * int(np.percentile(nonzero, 95, method="higher"))


def series_notes(
    start_minute: int,
    values: np.ndarray,
    quality: np.ndarray,
    *,
    production: bool,
    capacity_limit_mwh: int | None,
    usual_limit_mwh: int | None,
    latitude: float,
    longitude: float,
    night_elevation: float,
) -> list[Note]:
    """The notes on one delivered series (slots of 15 minutes from ``start_minute``, UTC minutes since the epoch)."""
    delivered = quality != 0
    minutes = start_minute + 15 * np.arange(len(values), dtype=np.int64)
    notes: list[Note] = []
    if capacity_limit_mwh:
        notes += _per_day("capacity", minutes, values, delivered & (values > capacity_limit_mwh), capacity_limit_mwh)
    if production:
        night = _night(start_minute, len(values), latitude, longitude, night_elevation)
        at_night = delivered & (values > NIGHT_PRODUCTION_MWH) & night
        notes += _per_day("night", minutes, values, at_night, NIGHT_PRODUCTION_MWH)
    if usual_limit_mwh:
        notes += _per_day("spike", minutes, values, delivered & (values > usual_limit_mwh), usual_limit_mwh)
    return notes


@lru_cache(maxsize=64)  # the series of a file share their quarter-hours: the sun is computed once per file
def _night(start_minute: int, slots: int, latitude: float, longitude: float, night_elevation: float) -> np.ndarray:
    minutes = start_minute + 15 * np.arange(slots, dtype=np.int64) + 7.5  # the middle of each slot
    night = solar_elevation(minutes, latitude, longitude) < night_elevation
    night.flags.writeable = False
    return night


def _per_day(kind: str, minutes: np.ndarray, values: np.ndarray, flagged: np.ndarray, limit: int) -> list[Note]:
    slots = np.flatnonzero(flagged)
    if not len(slots):
        return []
    days = local_day_numbers(minutes[slots])  # ascending, as the slots are
    firsts = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
    counts = np.diff(np.r_[firsts, len(slots)])
    largest = np.maximum.reduceat(values[slots], firsts)
    return [
        Note(kind, date.fromordinal(int(day) + EPOCH_ORDINAL), int(count), int(peak), int(limit))
        for day, count, peak in zip(days[firsts].tolist(), counts.tolist(), largest.tolist(), strict=True)
    ]
