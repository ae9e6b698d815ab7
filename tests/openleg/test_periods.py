from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from openleg.periods import as_utc, local_date, local_day, local_month


@pytest.mark.parametrize(
    ("year", "month", "quarter_hours"),
    [(2026, 3, 2972), (2026, 1, 2976), (2026, 4, 2880), (2026, 10, 2980), (2026, 2, 2688), (2028, 2, 2784)],
)
def test_month_quarter_hours(year, month, quarter_hours):
    assert local_month(year, month).quarter_hours == quarter_hours


def test_march_2026_bounds_are_local_midnights_in_utc():
    period = local_month(2026, 3)
    assert period.start == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)


def test_december_runs_into_next_year():
    period = local_month(2026, 12)
    assert (period.start, period.end) == (
        datetime(2026, 11, 30, 23, tzinfo=UTC),
        datetime(2026, 12, 31, 23, tzinfo=UTC),
    )
    assert period.quarter_hours == 2976


@pytest.mark.parametrize(
    ("day", "quarter_hours", "start"),
    [
        (date(2026, 3, 29), 92, datetime(2026, 3, 28, 23, tzinfo=UTC)),
        (date(2026, 10, 25), 100, datetime(2026, 10, 24, 22, tzinfo=UTC)),
        (date(2026, 6, 15), 96, datetime(2026, 6, 14, 22, tzinfo=UTC)),
        (date(2026, 1, 15), 96, datetime(2026, 1, 14, 23, tzinfo=UTC)),
    ],
)
def test_local_days_including_both_dst_days(day, quarter_hours, start):
    period = local_day(day)
    assert period.quarter_hours == quarter_hours
    assert period.start == start


def test_period_lists_the_utc_days_it_touches():
    assert local_day(date(2026, 6, 15)).utc_days() == [date(2026, 6, 14), date(2026, 6, 15)]
    assert len(local_month(2026, 3).utc_days()) == 32


def test_month_out_of_range_is_refused():
    with pytest.raises(ValueError, match="month must be 1 to 12, got 13"):
        local_month(2026, 13)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive datetime 2026-03-29T02:30:00 has no time zone"):
        as_utc(datetime(2026, 3, 29, 2, 30))  # noqa: DTZ001 - the point of the test


def test_local_date_of_an_instant():
    assert local_date(datetime(2026, 6, 14, 22, 0, tzinfo=UTC)) == date(2026, 6, 15)
    assert local_date(datetime(2026, 6, 14, 21, 45, tzinfo=UTC)) == date(2026, 6, 14)
    assert as_utc(datetime(2026, 1, 1, tzinfo=ZoneInfo("Europe/Zurich"))) == datetime(2025, 12, 31, 23, tzinfo=UTC)
