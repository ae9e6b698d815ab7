"""Per-token throttles in the default cache (Redis via django-redis): a rate (``AGENT_THROTTLE_RATE``) and the
token's ``daily_budget`` per Europe/Zurich day. A refusal raises the 429 of ``api.exceptions.throttled`` itself, so
that its details say which limit was reached and for how long.

Both count with one atomic increment in a fixed window (the rate's period, aligned to the clock; the Zurich day),
as the B2B limits do: DRF's own rate throttle reads the token's history, appends and writes it back, so calls
arriving at once on several workers overwrite each other's entries and far more than the rate got through (150 of
150 at 120/min under bench_load)."""

import time
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from api.exceptions import throttled
from api.models import AgentToken
from openleg.periods import local_date, local_day, utc_now

RATE_KEY = "agent-rate:{token}:{window}"
BUDGET_KEY = "agent-budget:{token}:{day}"
PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
EXPIRY_MARGIN_SECONDS = 60


class AgentTokenThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        if isinstance(request.auth, AgentToken):
            spend_rate(request.auth)
            spend_daily_budget(request.auth)
        return True


def parse_rate(rate: str) -> tuple[int, int]:
    """"120/min" -> (120, 60): calls and the seconds of their period (s, min, h, day by their first letter)."""
    calls, period = rate.split("/")
    return int(calls), PERIOD_SECONDS[period.strip()[0]]


def spend_rate(token: AgentToken, *, now: float | None = None) -> int:
    """Count one call in the token's current rate window; past the rate, 429 until that window ends."""
    calls, seconds = parse_rate(settings.AGENT_THROTTLE_RATE)
    now = time.time() if now is None else now
    window = int(now // seconds)
    key = RATE_KEY.format(token=token.pk, window=window)
    cache.add(key, 0, timeout=seconds + EXPIRY_MARGIN_SECONDS)
    used = cache.incr(key)
    if used > calls:
        raise throttled((window + 1) * seconds - now, limit="rate")
    return used


def check_limits(token: AgentToken) -> None:
    """The same rate and budget for a door outside DRF (the MCP server): 429 ``ApiError`` when one is reached."""
    AgentTokenThrottle().allow_request(SimpleNamespace(auth=token), None)


def spend_daily_budget(token: AgentToken, *, now=None) -> int:
    """Count one call against today's budget (Zurich day); past it, 429 until the next Zurich midnight."""
    now = now or utc_now()
    today = local_date(now)
    day = local_day(today)
    key = BUDGET_KEY.format(token=token.pk, day=today.isoformat())
    seconds_left = (day.end - now).total_seconds()
    cache.add(key, 0, timeout=int(seconds_left) + 60)
    used = cache.incr(key)
    if used > token.daily_budget:
        raise throttled(seconds_left, limit="daily_budget")
    return used
