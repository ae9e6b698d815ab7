"""Per-key call limits in Redis: fixed windows aligned to the clock hour and to the Europe/Zurich day.

A call counts in both windows; a call past either limit is not counted and answers 429 with the real seconds until
that window frees (``Retry-After``). Counters expire with their window, so nothing needs cleaning up."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils.translation import gettext as _

from api.errors import ApiError
from api.models import ApiKey
from openleg.periods import local_date, local_day, utc_now

HOUR = timedelta(hours=1)
EXPIRY_MARGIN_SECONDS = 60


@dataclass(frozen=True)
class Window:
    name: str  # "hourly" or "daily"
    cache_key: str
    limit: int
    ends_at: datetime

    def seconds_left(self, now: datetime) -> int:
        return max(1, math.ceil((self.ends_at - now).total_seconds()))


@dataclass(frozen=True)
class WindowUsage:
    calls: int
    limit: int
    resets_at: datetime


def windows(key: ApiKey, now: datetime) -> list[Window]:
    """The key's current hour (UTC and Zurich hours begin together) and its current Zurich day."""
    hour_start = now.replace(minute=0, second=0, microsecond=0)
    today = local_date(now)
    return [
        Window("hourly", f"b2b-hour:{key.pk}:{hour_start:%Y%m%dT%H}", key.client.hourly_limit, hour_start + HOUR),
        Window("daily", f"b2b-day:{key.pk}:{today.isoformat()}", key.client.daily_limit, local_day(today).end),
    ]


def spend(key: ApiKey, *, now: datetime | None = None) -> None:
    """Count one call of ``key``; past a limit 429 ``throttled`` (the call is then not counted)."""
    now = now or utc_now()
    current = windows(key, now)
    used = []
    for window in current:
        cache.add(window.cache_key, 0, timeout=window.seconds_left(now) + EXPIRY_MARGIN_SECONDS)
        used.append(cache.incr(window.cache_key))
    exceeded = [window for window, calls in zip(current, used, strict=True) if calls > window.limit]
    if not exceeded:
        return
    for window in current:
        cache.decr(window.cache_key)
    raise _throttled(max(exceeded, key=lambda window: window.ends_at), now)


def usage(key: ApiKey, *, now: datetime | None = None) -> dict[str, WindowUsage]:
    """The calls counted in the key's current windows, by window name."""
    now = now or utc_now()
    return {
        window.name: WindowUsage(int(cache.get(window.cache_key, 0)), window.limit, window.ends_at)
        for window in windows(key, now)
    }


def _throttled(window: Window, now: datetime) -> ApiError:
    seconds = window.seconds_left(now)
    if window.name == "hourly":
        message = _("Das Stundenlimit von %(limit)s Aufrufen ist erreicht. Wieder möglich in %(seconds)s Sekunden.")
    else:
        message = _("Das Tageslimit von %(limit)s Aufrufen ist erreicht. Wieder möglich in %(seconds)s Sekunden.")
    return ApiError(
        "throttled",
        message % {"limit": window.limit, "seconds": seconds},
        status=429,
        details={
            "limit": window.name, "limit_calls": window.limit, "retry_after_seconds": seconds,
            "resets_at": window.ends_at.isoformat().replace("+00:00", "Z"),
        },
    )
