"""Day rows written in one go: binary COPY on PostgreSQL, executemany elsewhere, the same rows either way."""

import struct
from datetime import UTC, date, datetime

import numpy as np
import pytest

from metering.daybuckets import DayRowBatch, from_bytes, sources_from_bytes
from metering.models import DaySeries, MeterImport
from metering.upsert import _copy_field, upsert_day_rows
from tests.communities.factories import MeteringPointFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 1, 12, 30, tzinfo=UTC)
LEADING, TRAILING = ("metering_point", "direction", "channel"), ("last_import", "updated_at")
KEY = ("metering_point", "direction", "channel", "day")


def _import() -> MeterImport:
    return MeterImport.objects.create(created_at=NOW, door="command", filename="f.xml", sha256="0" * 64, size=1)


def _batch(point, meter_import, first_value: int, days: list[date]) -> DayRowBatch:
    values = np.arange(96 * len(days), dtype=np.int64).reshape(len(days), 96) + first_value
    quality = np.full((len(days), 96), 2, np.uint8)
    ordinals = np.array([day.toordinal() for day in days])
    sources = np.full((len(days), 96), meter_import.pk, np.int64)
    sources[:, 0] = 0  # a slot another import never delivered
    return DayRowBatch((point.pk, "consumption", "leg"), ordinals, values, quality, sources, (meter_import.pk, NOW))


def _stored(point) -> list[tuple[date, int, int, int, int, int, datetime]]:
    rows = DaySeries.objects.filter(metering_point=point).order_by("day")
    return [
        (
            row.day,
            int(from_bytes(row.values, row.quality)[0][95]),
            int(from_bytes(row.values, row.quality)[1][0]),
            int(sources_from_bytes(row.sources, row.quality)[0]),
            int(sources_from_bytes(row.sources, row.quality)[95]),
            row.last_import_id,
            row.updated_at,
        )
        for row in rows
    ]


@pytest.mark.parametrize("none_stored", [False, True])
def test_day_rows_land_with_their_exact_values_days_and_import(none_stored):
    point, meter_import = MeteringPointFactory(), _import()
    batch = _batch(point, meter_import, 10**12, [date(2026, 6, 14), date(2026, 6, 15)])
    written = upsert_day_rows(
        DaySeries, leading=LEADING, trailing=TRAILING, key=KEY, batches=[batch], none_stored=none_stored
    )
    assert written == 2
    assert _stored(point) == [
        (date(2026, 6, 14), 10**12 + 95, 2, 0, meter_import.pk, meter_import.pk, NOW),
        (date(2026, 6, 15), 10**12 + 191, 2, 0, meter_import.pk, meter_import.pk, NOW),
    ]


def test_a_stored_row_is_replaced_on_its_key():
    point, first, second = MeteringPointFactory(), _import(), _import()
    upsert_day_rows(
        DaySeries, leading=LEADING, trailing=TRAILING, key=KEY, batches=[_batch(point, first, 0, [date(2026, 6, 14)])]
    )
    upsert_day_rows(
        DaySeries, leading=LEADING, trailing=TRAILING, key=KEY, batches=[_batch(point, second, 7, [date(2026, 6, 14)])]
    )
    assert _stored(point) == [(date(2026, 6, 14), 102, 2, 0, second.pk, second.pk, NOW)]


@pytest.mark.postgres
def test_a_row_stored_since_the_plan_makes_the_copy_fall_back_to_the_upsert():
    point, first, second = MeteringPointFactory(), _import(), _import()
    upsert_day_rows(
        DaySeries, leading=LEADING, trailing=TRAILING, key=KEY, batches=[_batch(point, first, 0, [date(2026, 6, 15)])]
    )
    batch = _batch(point, second, 7, [date(2026, 6, 14), date(2026, 6, 15)])
    upsert_day_rows(DaySeries, leading=LEADING, trailing=TRAILING, key=KEY, batches=[batch], none_stored=True)
    assert _stored(point) == [
        (date(2026, 6, 14), 102, 2, 0, second.pk, second.pk, NOW),
        (date(2026, 6, 15), 198, 2, 0, second.pk, second.pk, NOW),
    ]


def test_nothing_to_write_writes_nothing():
    empty = DayRowBatch(
        (1, "consumption", "total"),
        np.zeros(0, np.int64),
        np.zeros((0, 96), np.int64),
        np.zeros((0, 96), np.uint8),
        np.zeros((0, 96), np.int64),
        (1, NOW),
    )
    assert upsert_day_rows(DaySeries, leading=LEADING, trailing=TRAILING, key=KEY, batches=[empty]) == 0


def test_constant_fields_are_encoded_for_the_binary_copy():
    assert _copy_field("bigint", 5) == struct.pack(">iq", 8, 5)
    assert _copy_field("integer", -2) == struct.pack(">ii", 4, -2)
    assert _copy_field("varchar", "grün") == struct.pack(">i", 5) + "grün".encode()
    assert _copy_field("timestamp with time zone", datetime(2000, 1, 1, 0, 0, 1, 5, tzinfo=UTC)) == struct.pack(
        ">iq", 8, 1_000_005
    )
    assert _copy_field("bigint", None) == struct.pack(">i", -1)
    with pytest.raises(ValueError, match="no binary COPY encoding for jsonb"):
        _copy_field("jsonb", {})
