"""What a client used, from the metering rows: calls and denied calls per Europe/Zurich day, and totals per
endpoint over the same days (the admin's usage page; invoicing reads the same rows)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Sum

from api.models import ApiClient, ApiUsage


@dataclass(frozen=True)
class DayUsage:
    day: date
    calls: int
    denied: int


@dataclass(frozen=True)
class EndpointUsage:
    endpoint: str
    calls: int
    denied: int


def usage_days(last_day: date, days: int) -> list[date]:
    return [last_day - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def calls_per_day(client: ApiClient, *, last_day: date, days: int = 30) -> list[DayUsage]:
    """One entry per day of the ``days`` ending with ``last_day``, days without calls as zero calls."""
    span = usage_days(last_day, days)
    rows = (
        ApiUsage.objects.filter(client=client, day__range=(span[0], last_day))
        .values("day")
        .annotate(calls=Sum("calls"), denied=Sum("denied"))
    )
    counted = {row["day"]: (row["calls"], row["denied"]) for row in rows}
    return [DayUsage(day, *counted.get(day, (0, 0))) for day in span]


def totals_per_endpoint(client: ApiClient, *, last_day: date, days: int = 30) -> list[EndpointUsage]:
    first = usage_days(last_day, days)[0]
    rows = (
        ApiUsage.objects.filter(client=client, day__range=(first, last_day))
        .values("endpoint")
        .annotate(calls=Sum("calls"), denied=Sum("denied"))
        .order_by("endpoint")
    )
    return [EndpointUsage(row["endpoint"], row["calls"], row["denied"]) for row in rows]
