"""Settings that depend on which services are configured.

Kept as pure functions of their inputs so that tests can check both shapes (with and
without Redis) without reloading Django.
"""

from typing import Any

# Seconds before a Redis command (cache, sessions, counters) gives up: connecting, and waiting for an answer.
REDIS_CONNECT_TIMEOUT_SECONDS = 2
REDIS_ANSWER_TIMEOUT_SECONDS = 2

# The Celery broker on Redis. A web request that queues a task (``delay()``) must not wait for a broker that is
# down or frozen: each socket gives up after 2 s and Celery does not retry publishing (one retry made a frozen
# broker cost three timeouts, 6 s), so kombu's OperationalError reaches the request (503) within about 2 s.
# A Redis restarted since the last task costs nothing: redis-py replaces the dead pooled connection itself.
# The worker keeps reconnecting for as long as it takes.
BROKER_TIMEOUTS = {
    "CELERY_BROKER_CONNECTION_TIMEOUT": REDIS_CONNECT_TIMEOUT_SECONDS,
    "CELERY_BROKER_TRANSPORT_OPTIONS": {
        "socket_connect_timeout": REDIS_CONNECT_TIMEOUT_SECONDS,
        "socket_timeout": REDIS_ANSWER_TIMEOUT_SECONDS,
    },
    "CELERY_TASK_PUBLISH_RETRY_POLICY": {"max_retries": 0},
    "CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP": True,
    "CELERY_BROKER_CONNECTION_MAX_RETRIES": None,
}


def _redis_cache(
    redis_url: str, *, prefix: str, timeout: int = REDIS_ANSWER_TIMEOUT_SECONDS, ignore_errors: bool = False
) -> dict[str, Any]:
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": redis_url,
        "KEY_PREFIX": prefix,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": min(timeout, REDIS_CONNECT_TIMEOUT_SECONDS),
            "SOCKET_TIMEOUT": timeout,
            "IGNORE_EXCEPTIONS": ignore_errors,
        },
    }


def redis_settings(redis_url: str) -> dict[str, Any]:
    """Cache, sessions, throttling and the Celery broker: Redis when configured, else in-process.

    DRF throttling uses Django's default cache, so it follows ``CACHES``.
    """
    if redis_url:
        return {
            "CACHES": {
                "default": _redis_cache(redis_url, prefix="openleg"),
                # Sessions live in PostgreSQL, read through this cache (SESSION_ENGINE cached_db): without Redis
                # they are read from the database, and a logged-in person keeps working. Its errors are ignored,
                # and it waits 1 s: a page asks it twice (read, then keep) before a frozen Redis is passed over.
                "sessions": _redis_cache(redis_url, prefix="openleg-sessions", timeout=1, ignore_errors=True),
            },
            "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
            "SESSION_CACHE_ALIAS": "sessions",
            "CELERY_BROKER_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": False,
        }
    return {
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "openleg",
            }
        },
        "SESSION_ENGINE": "django.contrib.sessions.backends.db",
        "SESSION_CACHE_ALIAS": "default",
        "CELERY_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": True,
    }


TEXT_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"


def logging_settings(*, json_lines: bool, level: str) -> dict[str, Any]:
    """Logging to the console: one JSON object per line (production), or readable text (development, tests).

    Every handler carries the request id and the task (``openleg.log_context.LogContextFilter``); the access log
    line of each request comes from ``openleg.request_signals`` on the logger ``openleg.access``.
    """
    formatter = {"()": "openleg.log_format.JsonFormatter"} if json_lines else {"format": TEXT_LOG_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"log_context": {"()": "openleg.log_context.LogContextFilter"}},
        "formatters": {"console": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["log_context"], "formatter": "console"}},
        "root": {"handlers": ["console"], "level": level},
        # PDF rendering reports every step and every font subset at INFO: keep warnings only.
        "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
    }
