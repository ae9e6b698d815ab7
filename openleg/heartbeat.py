"""Heartbeats of Celery beat and the worker, for /healthz and /metrics.

Beat sends ``openleg.tasks.heartbeat`` every minute (schedule: openleg/migrations/0001_heartbeat_beat.py); the
sending stamps ``beat`` (``openleg.celery_signals``), the task's execution on a worker stamps ``worker``. The
stamps live in the default cache (Redis in production): one round trip reads both. When Redis is down, nothing is
queued or run either, and /healthz already answers 503 for Redis.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache

from openleg.periods import utc_now

COMPONENTS = ("beat", "worker")
HEARTBEAT_TASK = "openleg.tasks.heartbeat"
_KEY = "heartbeat:{}"


@dataclass(frozen=True)
class Heartbeat:
    component: str
    last: datetime | None

    def age_seconds(self, now: datetime) -> int | None:
        return None if self.last is None else max(0, int((now - self.last).total_seconds()))

    def state(self, now: datetime) -> str:
        """``ok``, ``stale`` (older than OPENLEG_HEARTBEAT_STALE_SECONDS) or ``missing`` (never seen)."""
        age = self.age_seconds(now)
        if age is None:
            return "missing"
        return "ok" if age <= settings.OPENLEG_HEARTBEAT_STALE_SECONDS else "stale"


def heartbeat_stamp(*, component: str) -> None:
    cache.set(_KEY.format(component), utc_now().isoformat(), timeout=None)


def heartbeats() -> list[Heartbeat]:
    stored = cache.get_many([_KEY.format(component) for component in COMPONENTS])
    return [Heartbeat(component, _parsed(stored.get(_KEY.format(component)))) for component in COMPONENTS]


def heartbeats_configured() -> bool:
    """False in eager mode (the demo, development without a broker): no beat, no worker to watch."""
    return not settings.CELERY_TASK_ALWAYS_EAGER


def _parsed(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
