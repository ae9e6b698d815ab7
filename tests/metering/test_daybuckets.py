from datetime import UTC, date, datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metering.daybuckets import from_bytes, merge_day, split_into_days, to_bytes


def test_local_june_day_spans_two_utc_days():
    start = datetime(2026, 6, 14, 22, 0, tzinfo=UTC)
    rows = split_into_days(start, np.arange(1, 97, dtype=np.int64), np.ones(96, dtype=np.uint8))
    assert [row.day for row in rows] == [date(2026, 6, 14), date(2026, 6, 15)]
    assert rows[0].values[88:].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert rows[0].quality[:88].tolist() == [0] * 88
    assert rows[1].values[:3].tolist() == [9, 10, 11]
    assert int(rows[1].quality.sum()) == 88


def test_start_must_be_on_a_quarter_hour():
    with pytest.raises(ValueError, match=r"series start 2026-06-14T22:05:00\+00:00 is not on a quarter-hour"):
        split_into_days(datetime(2026, 6, 14, 22, 5, tzinfo=UTC), np.zeros(4, np.int64), np.ones(4, np.uint8))


def test_days_without_any_delivered_slot_are_not_rows():
    quality = np.zeros(192, dtype=np.uint8)
    quality[100] = 1
    rows = split_into_days(datetime(2026, 1, 1, tzinfo=UTC), np.zeros(192, np.int64), quality)
    assert [row.day for row in rows] == [date(2026, 1, 2)]


def test_merge_latest_delivery_wins_for_the_slots_it_carries():
    stored_values = np.array([10, 20, 30, 0] + [0] * 92, dtype=np.int64)
    stored_quality = np.array([2, 2, 1, 0] + [0] * 92, dtype=np.uint8)  # two provisional, one measured
    delivered = split_into_days(
        datetime(2026, 1, 1, tzinfo=UTC),
        np.array([11, 20, 0, 40], dtype=np.int64),
        np.array([1, 2, 0, 1], dtype=np.uint8),
    )[0]
    merge = merge_day(stored_values, stored_quality, delivered)
    assert merge.values[:4].tolist() == [11, 20, 30, 40]
    assert merge.quality[:4].tolist() == [1, 2, 1, 1]
    assert (merge.new, merge.changed, merge.unchanged) == (1, 1, 1)


def test_first_delivery_is_all_new():
    delivered = split_into_days(datetime(2026, 1, 1, tzinfo=UTC), np.full(96, 5, np.int64), np.ones(96, np.uint8))[0]
    merge = merge_day(None, None, delivered)
    assert (merge.new, merge.changed, merge.unchanged, int(merge.values.sum())) == (96, 0, 0, 480)


@given(
    st.lists(st.integers(min_value=0, max_value=2**62), min_size=96, max_size=96),
    st.lists(st.integers(min_value=0, max_value=3), min_size=96, max_size=96),
)
def test_bytes_round_trip(values, quality):
    packed = to_bytes(np.array(values, dtype=np.int64), np.array(quality, dtype=np.uint8))
    assert len(packed[0]) == 768 and len(packed[1]) == 96
    unpacked_values, unpacked_quality = from_bytes(*packed)
    assert unpacked_values.tolist() == values and unpacked_quality.tolist() == quality
