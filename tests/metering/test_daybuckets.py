from datetime import UTC, date, datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metering.daybuckets import (
    DayRowBatch,
    from_bytes,
    merge_days,
    sources_from_bytes,
    sources_to_bytes,
    split_into_days,
    to_bytes,
)


def test_local_june_day_spans_two_utc_days():
    start = datetime(2026, 6, 14, 22, 0, tzinfo=UTC)
    rows = split_into_days(start, np.arange(1, 97, dtype=np.int64), np.ones(96, dtype=np.uint8))
    assert rows.days == [date(2026, 6, 14), date(2026, 6, 15)]
    assert rows.values[0, 88:].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert rows.quality[0, :88].tolist() == [0] * 88
    assert rows.values[1, :3].tolist() == [9, 10, 11]
    assert int(rows.quality[1].sum()) == 88


def test_start_must_be_on_a_quarter_hour():
    with pytest.raises(ValueError, match=r"series start 2026-06-14T22:05:00\+00:00 is not on a quarter-hour"):
        split_into_days(datetime(2026, 6, 14, 22, 5, tzinfo=UTC), np.zeros(4, np.int64), np.ones(4, np.uint8))


def test_days_without_any_delivered_slot_are_not_rows():
    quality = np.zeros(192, dtype=np.uint8)
    quality[100] = 1
    rows = split_into_days(datetime(2026, 1, 1, tzinfo=UTC), np.zeros(192, np.int64), quality)
    assert (rows.days, rows.offsets.tolist(), rows.quality.shape) == ([date(2026, 1, 2)], [1], (1, 96))


def _merged(stored_values, stored_quality, delivered, *, stored_time=100, delivered_time=200, sources=7):
    stored = np.array([stored_values is not None])
    if stored_values is None:
        stored_values, stored_quality = np.zeros(96, np.int64), np.zeros(96, np.uint8)
    return merge_days(
        stored,
        stored_values[None],
        stored_quality[None],
        np.full((1, 96), sources, np.int64),
        np.full((1, 96), stored_time, np.int64),
        delivered.values,
        delivered.quality,
        delivered_time,
    )


def test_merge_a_newer_delivery_wins_for_the_slots_it_carries():
    stored_values = np.array([10, 20, 30, 0] + [0] * 92, dtype=np.int64)
    stored_quality = np.array([2, 2, 1, 0] + [0] * 92, dtype=np.uint8)  # two provisional, one measured
    delivered = split_into_days(
        datetime(2026, 1, 1, tzinfo=UTC),
        np.array([11, 20, 0, 40], dtype=np.int64),
        np.array([1, 2, 0, 1], dtype=np.uint8),
    )
    merge = _merged(stored_values, stored_quality, delivered)
    assert merge.values[0, :4].tolist() == [11, 20, 30, 40]
    assert merge.quality[0, :4].tolist() == [1, 2, 1, 1]
    assert (merge.new.tolist(), merge.changed.tolist(), merge.unchanged.tolist()) == ([1], [1], [1])
    assert merge.superseded.tolist() == [0]
    assert merge.written.tolist() == [True]
    # The newer document becomes the source of every slot it carries, also where the value stays the same.
    assert merge.sources(9)[0, :5].tolist() == [9, 9, 7, 9, 7]


def test_first_delivery_is_all_new():
    delivered = split_into_days(datetime(2026, 1, 1, tzinfo=UTC), np.full(96, 5, np.int64), np.ones(96, np.uint8))
    merge = _merged(None, None, delivered)
    assert (merge.new.tolist(), merge.changed.tolist(), merge.unchanged.tolist(), int(merge.values.sum())) == (
        [96],
        [0],
        [0],
        480,
    )
    assert merge.sources(3).tolist() == [[3] * 96]


def _one_slot(stored: tuple[int, int, int] | None, delivered: tuple[int, int, int]):
    """Merge of one slot: (value, quality, document time) stored and delivered."""
    values, quality, times = np.zeros((1, 96), np.int64), np.zeros((1, 96), np.uint8), np.zeros((1, 96), np.int64)
    if stored is not None:
        values[0, 0], quality[0, 0], times[0, 0] = stored
    delivered_values, delivered_quality = np.zeros((1, 96), np.int64), np.zeros((1, 96), np.uint8)
    delivered_values[0, 0], delivered_quality[0, 0] = delivered[:2]
    merge = merge_days(
        np.array([stored is not None]),
        values,
        quality,
        np.where(quality != 0, 5, 0).astype(np.int64),
        times,
        delivered_values,
        delivered_quality,
        delivered[2],
    )
    counts = {what: int(getattr(merge, what)[0]) for what in ("new", "changed", "unchanged", "superseded")}
    return int(merge.values[0, 0]), int(merge.quality[0, 0]), int(merge.sources(9)[0, 0]), counts


MEASURED, PROVISIONAL, ESTIMATED = 1, 2, 3


@pytest.mark.parametrize(
    ("stored", "delivered", "expected"),
    [
        # (a) nothing stored: the delivery is taken whatever its age
        (None, (40, PROVISIONAL, 100), (40, PROVISIONAL, 9, "new")),
        # (b) a newer document wins, also measured by provisional
        ((30, MEASURED, 100), (40, PROVISIONAL, 200), (40, PROVISIONAL, 9, "changed")),
        ((30, PROVISIONAL, 100), (40, MEASURED, 200), (40, MEASURED, 9, "changed")),
        # … and becomes the source of an equal value
        ((30, MEASURED, 100), (30, MEASURED, 200), (30, MEASURED, 9, "unchanged")),
        # an older document loses
        ((30, PROVISIONAL, 200), (40, MEASURED, 100), (30, PROVISIONAL, 5, "superseded")),
        ((30, MEASURED, 200), (30, MEASURED, 100), (30, MEASURED, 5, "unchanged")),
        # (c) equally new: the delivery wins unless it would replace measured by provisional or estimated
        ((30, PROVISIONAL, 100), (40, PROVISIONAL, 100), (40, PROVISIONAL, 9, "changed")),
        ((30, PROVISIONAL, 100), (40, MEASURED, 100), (40, MEASURED, 9, "changed")),
        ((30, ESTIMATED, 100), (40, PROVISIONAL, 100), (40, PROVISIONAL, 9, "changed")),
        ((30, MEASURED, 100), (40, MEASURED, 100), (40, MEASURED, 9, "changed")),
        ((30, MEASURED, 100), (40, PROVISIONAL, 100), (30, MEASURED, 5, "superseded")),
        ((30, MEASURED, 100), (40, ESTIMATED, 100), (30, MEASURED, 5, "superseded")),
        ((30, MEASURED, 100), (30, PROVISIONAL, 100), (30, MEASURED, 5, "superseded")),
        # the same value and quality of an equally new document changes nothing, not even the source
        ((30, PROVISIONAL, 100), (30, PROVISIONAL, 100), (30, PROVISIONAL, 5, "unchanged")),
    ],
)
def test_merge_rule_per_slot(stored, delivered, expected):
    value, quality, source, counts = _one_slot(stored, delivered)
    assert (value, quality, source) == expected[:3]
    assert counts == {what: int(what == expected[3]) for what in ("new", "changed", "unchanged", "superseded")}


def test_a_row_the_delivery_loses_everywhere_is_not_written():
    delivered = split_into_days(datetime(2026, 1, 1, tzinfo=UTC), np.full(96, 8, np.int64), np.ones(96, np.uint8))
    merge = _merged(np.full(96, 7, np.int64), np.ones(96, np.uint8), delivered, stored_time=300)
    assert (merge.superseded.tolist(), merge.written.tolist(), int(merge.lost.sum())) == ([96], [False], 96)
    assert merge.values[0].tolist() == [7] * 96


def test_rows_are_merged_each_with_its_own_stored_row_and_unchanged_rows_are_not_written():
    delivered = split_into_days(datetime(2026, 1, 1, tzinfo=UTC), np.full(192, 7, np.int64), np.ones(192, np.uint8))
    stored_values = np.stack([np.full(96, 7, np.int64), np.full(96, 99, np.int64)])
    stored_quality = np.stack([np.ones(96, np.uint8), np.zeros(96, np.uint8)])
    merge = merge_days(
        np.array([True, False]),
        stored_values,
        stored_quality,
        np.full((2, 96), 4, np.int64),
        np.full((2, 96), 100, np.int64),
        delivered.values,
        delivered.quality,
        100,
    )
    assert (merge.new.tolist(), merge.changed.tolist(), merge.unchanged.tolist()) == ([0, 96], [0, 0], [96, 0])
    assert merge.written.tolist() == [False, True]
    assert merge.values[:, 0].tolist() == [7, 7]  # a row that was not stored never shows the stored matrix
    assert merge.part(slice(1, 2)).new.tolist() == [96]
    assert merge.sources(9)[:, 0].tolist() == [4, 9]


def test_a_batch_gives_one_tuple_per_row_with_the_day_and_the_bytes():
    values, quality = np.arange(192, dtype=np.int64).reshape(2, 96), np.ones((2, 96), np.uint8)
    sources = np.full((2, 96), 9, np.int64)
    batch = DayRowBatch((5, "consumption", "leg"), np.array([739617, 739618]), values, quality, sources, (9, "now"))
    rows = batch.tuples()
    assert len(batch) == 2
    assert [row[:4] for row in rows] == [
        (5, "consumption", "leg", date(2026, 1, 1)),
        (5, "consumption", "leg", date(2026, 1, 2)),
    ]
    assert rows[1][4:] == (*to_bytes(values[1], quality[1]), sources_to_bytes(sources[1], quality[1]), 9, "now")
    assert sources_from_bytes(rows[1][6], rows[1][5]).tolist() == [9] * 96


def test_sources_of_one_import_are_stored_once_and_mixed_ones_per_slot():
    quality = np.r_[np.zeros(10), np.ones(86)].astype(np.uint8)
    one = np.where(quality != 0, 42, 0).astype(np.int64)
    packed = sources_to_bytes(one, quality)
    assert (len(packed), sources_from_bytes(packed, quality.tobytes()).tolist()) == (8, one.tolist())
    mixed = one.copy()
    mixed[50:] = 43
    packed = sources_to_bytes(mixed, quality)
    assert (len(packed), sources_from_bytes(packed, quality.tobytes()).tolist()) == (768, mixed.tolist())
    assert sources_from_bytes(b"", quality.tobytes()).tolist() == [0] * 96


@given(
    st.lists(st.integers(min_value=0, max_value=2**62), min_size=96, max_size=96),
    st.lists(st.integers(min_value=0, max_value=3), min_size=96, max_size=96),
)
def test_bytes_round_trip(values, quality):
    packed = to_bytes(np.array(values, dtype=np.int64), np.array(quality, dtype=np.uint8))
    assert len(packed[0]) == 768 and len(packed[1]) == 96
    unpacked_values, unpacked_quality = from_bytes(*packed)
    assert unpacked_values.tolist() == values and unpacked_quality.tolist() == quality
