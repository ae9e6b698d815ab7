"""series_for_long_period reads a long period in one row per series and gives what series_for_period gives."""

from datetime import UTC, date, datetime

import numpy as np

from metering.sdat_writer import SdatSeries, write_e66
from metering.selectors import series_for_long_period, series_for_period
from metering.services import meter_file_import
from openleg.periods import local_day, local_month
from tests.communities.factories import MeteringPointFactory


def test_a_month_with_gaps_reads_the_same_both_ways(db):
    first, second = MeteringPointFactory(), MeteringPointFactory()
    series = [
        SdatSeries(
            first.mp_id, "consumption", "total", local_day(date(2025, 6, 10)).start, [1000 + n for n in range(96)]
        ),
        SdatSeries(first.mp_id, "consumption", "total", local_day(date(2025, 6, 20)).start, [7] * 96),
        SdatSeries(first.mp_id, "production", "total", local_day(date(2025, 6, 30)).start, [5] * 96),
        SdatSeries(second.mp_id, "consumption", "total", local_day(date(2025, 7, 1)).start, [9] * 96),
    ]
    data = write_e66(series, document_id="LONG", created=datetime(2025, 7, 2, tzinfo=UTC))
    assert meter_file_import(data=data, filename="long.xml", actor=None, door="command").ok
    june = local_month(2025, 6)

    long = series_for_long_period(metering_point_ids=[first.pk, second.pk], period=june)
    short = series_for_period(metering_point_ids=[first.pk, second.pk], period=june)

    assert sorted(long) == sorted(short)
    assert sorted(long) == [
        (first.pk, "consumption", "total"),
        (first.pk, "production", "total"),
        (second.pk, "consumption", "total"),  # 1 July starts on the UTC day of 30 June: a row, no June slot
    ]
    assert not long[(second.pk, "consumption", "total")].quality.any()
    for key, found in long.items():
        assert np.array_equal(found.values, short[key].values)
        assert np.array_equal(found.quality, short[key].quality)
    consumption = long[(first.pk, "consumption", "total")]
    assert len(consumption.values) == june.quarter_hours == 2880
    assert consumption.values[9 * 96 : 9 * 96 + 3].tolist() == [1_000_000, 1_001_000, 1_002_000]  # mWh
    assert int(consumption.values.sum()) == (sum(range(1000, 1096)) + 7 * 96) * 1000
    assert int(np.count_nonzero(consumption.quality)) == 2 * 96
    assert long[(first.pk, "production", "total")].values[-96:].tolist() == [5000] * 96
