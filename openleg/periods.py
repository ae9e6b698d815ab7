"""Time is aware UTC inside; billing months and days are Europe/Zurich calendar periods."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZURICH = ZoneInfo("Europe/Zurich")
QUARTER_HOUR = timedelta(minutes=15)


@dataclass(frozen=True)
class Period:
    """A half-open interval [start, end) in UTC, aligned to quarter-hours."""

    start: datetime
    end: datetime

    @property
    def quarter_hours(self) -> int:
        return int((self.end - self.start) / QUARTER_HOUR)

    def utc_days(self) -> list[date]:
        """The UTC calendar days the period touches (storage rows are per UTC day)."""
        first = self.start.date()
        last = (self.end - timedelta(microseconds=1)).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Convert an aware datetime to UTC; naive datetimes are refused, never guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} has no time zone")
    return value.astimezone(UTC)


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZURICH).astimezone(UTC)


def local_day(day: date) -> Period:
    """UTC bounds of a Europe/Zurich calendar day (92, 96 or 100 quarter-hours)."""
    return Period(_local_midnight_utc(day), _local_midnight_utc(day + timedelta(days=1)))


def local_month(year: int, month: int) -> Period:
    """UTC bounds of a Europe/Zurich calendar month (2,880 to 2,980 quarter-hours)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1 to 12, got {month}")
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Period(_local_midnight_utc(first), _local_midnight_utc(following))


def local_date(moment: datetime) -> date:
    """The Europe/Zurich calendar day an aware instant falls on."""
    return as_utc(moment).astimezone(ZURICH).date()


def local_today() -> date:
    """Today in Europe/Zurich."""
    return local_date(utc_now())
