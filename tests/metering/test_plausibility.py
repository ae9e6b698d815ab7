"""Plausibility checks, pure: the sun's elevation, the limits, and notes summed up per local day."""

from datetime import UTC, date, datetime

import numpy as np
import pytest

from metering.plausibility import Note, series_notes, solar_elevation, usual_limit

LAT, LON = 46.8, 8.23


def _minute(*moment) -> int:
    return int(datetime(*moment, tzinfo=UTC).timestamp()) // 60


@pytest.mark.parametrize(
    ("moment", "elevation"),
    [
        ((2026, 6, 21, 11, 25), 66.6),  # summer noon: 90° − 46.8° + 23.44°
        ((2026, 6, 21, 23, 25), -19.8),  # summer midnight
        ((2026, 12, 21, 11, 30), 19.8),  # winter noon: 90° − 46.8° − 23.44°
        ((2026, 12, 21, 23, 30), -66.6),
    ],
)
def test_solar_elevation_at_the_swiss_reference_location(moment, elevation):
    assert round(float(solar_elevation(np.array([_minute(*moment)]), LAT, LON)[0]), 1) == elevation


def _notes(start, values, *, production=True, capacity=None, usual=None):
    values = np.asarray(values, np.int64)
    quality = np.where(values >= 0, 1, 0).astype(np.uint8)
    return series_notes(
        _minute(*start),
        np.maximum(values, 0),
        quality,
        production=production,
        capacity_limit_mwh=capacity,
        usual_limit_mwh=usual,
        latitude=LAT,
        longitude=LON,
        night_elevation=-6.0,
    )


def test_production_at_night_is_noted_per_local_day_with_its_count_and_largest_value():
    # 21.06.2026 from 22:00 UTC (00:00 local on the 22nd): four night slots with production, one of them at 1 Wh
    values = [5_000, 1_000, 2_500, 1_001] + [0] * 92
    assert _notes((2026, 6, 21, 22, 0), values) == [Note("night", date(2026, 6, 22), 3, 5_000, 1_000)]
    # the same values as consumption are no note
    assert _notes((2026, 6, 21, 22, 0), values, production=False) == []


def test_production_in_daylight_is_no_note():
    assert _notes((2026, 6, 21, 9, 0), [900_000] * 8) == []


def test_values_above_the_capacity_are_noted_per_local_day_across_midnight():
    # 23:30 to 00:30 local time on 28./29.06.2026 (UTC +2): two slots on each local day above 6,250 Wh
    values = [7_000_000, 6_250_000, 6_250_001, 8_000_000, 9_000_000, 100]
    notes = _notes((2026, 6, 28, 21, 30), values, production=False, capacity=6_250_000)
    assert notes == [
        Note("capacity", date(2026, 6, 28), 1, 7_000_000, 6_250_000),
        Note("capacity", date(2026, 6, 29), 3, 9_000_000, 6_250_000),
    ]


def test_a_value_many_times_the_usual_level_is_a_spike():
    notes = _notes((2026, 6, 28, 10, 0), [100, 20_001, 20_000, 0], production=False, usual=20_000)
    assert notes == [Note("spike", date(2026, 6, 28), 1, 20_001, 20_000)]


def test_the_usual_level_needs_enough_delivered_values():
    values = np.r_[np.arange(1, 101), np.zeros(50)].astype(np.int64)  # 100 non-zero values, 50 zeros
    quality = np.ones(150, np.uint8)
    # 10 × the 95th percentile, taken as the delivered value at or above it: position 94.05 of 0…99 → 96
    assert usual_limit(values, quality, factor=10, min_slots=150) == 960
    assert usual_limit(values, quality, factor=10, min_slots=151) is None
    assert usual_limit(np.zeros(150, np.int64), quality, factor=10, min_slots=150) is None
