"""GET /healthz: is the database reachable, and Redis when it is configured; when do beat and the worker last show.

503 only when the database or Redis fails: the web container's health check asks here, and a stopped worker must
not make Docker restart the web. A stale or missing heartbeat makes the status "degraded" (200) and names the
component in ``stale``. In eager mode (no broker: the demo) there is no beat or worker: "not configured".
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from openleg.heartbeat import heartbeats, heartbeats_configured
from openleg.periods import utc_now


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    return "ok"


def _heartbeats() -> tuple[dict | str, list[str]]:
    """Each component's state, last time (ISO UTC) and age in seconds; and the components that are not ok."""
    now = utc_now()
    report, stale = {}, []
    for beat in heartbeats():
        state = beat.state(now)
        report[beat.component] = {
            "status": state,
            "last": beat.last.isoformat().replace("+00:00", "Z") if beat.last else None,
            "age_seconds": beat.age_seconds(now),
        }
        if state != "ok":
            stale.append(beat.component)
    return report, stale


@never_cache
@require_GET
def healthz(request):
    checks, healthy = {}, True
    for name, check in (("database", _check_database), ("redis", _check_redis)):
        try:
            checks[name] = check()
        except Exception as error:  # any failure of a dependency makes us unhealthy, with its reason
            checks[name] = f"error: {error.__class__.__name__}"
            healthy = False
    body = {"status": "ok" if healthy else "error", "checks": checks}
    if not heartbeats_configured():
        body["heartbeats"] = "not configured"
    elif checks.get("redis") != "ok" and settings.REDIS_URL:
        body["heartbeats"] = "unknown: Redis is down"  # not asked again: each try would wait for its timeout
    else:
        try:
            body["heartbeats"], body["stale"] = _heartbeats()
        except Exception as error:  # the heartbeats inform; they never make the web unhealthy
            body["heartbeats"] = f"error: {error.__class__.__name__}"
        if healthy and body.get("stale"):
            body["status"] = "degraded"
    return JsonResponse(body, status=200 if healthy else 503)
