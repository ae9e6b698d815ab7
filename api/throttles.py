"""Per-token throttles in the default cache (Redis via django-redis): a rate (``AGENT_THROTTLE_RATE``) and the
token's ``daily_budget`` per Europe/Zurich day. A refusal raises the 429 of ``api.exceptions.throttled`` itself, so
that its details say which limit was reached and for how long."""

from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from api.exceptions import throttled
from api.models import AgentToken
from openleg.periods import local_date, local_day, utc_now

BUDGET_KEY = "agent-budget:{token}:{day}"


class AgentTokenThrottle(SimpleRateThrottle):
    scope = "agent"

    def get_rate(self) -> str:
        return settings.AGENT_THROTTLE_RATE

    def get_cache_key(self, request, view) -> str | None:
        token = request.auth
        return f"agent-rate:{token.pk}" if isinstance(token, AgentToken) else None

    def allow_request(self, request, view) -> bool:
        if not super().allow_request(request, view):
            raise throttled(self.wait(), limit="rate")
        if isinstance(request.auth, AgentToken):
            spend_daily_budget(request.auth)
        return True


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
