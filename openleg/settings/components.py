"""Settings that depend on which services are configured.

Kept as pure functions of their inputs so that tests can check both shapes (with and
without Redis) without reloading Django.
"""

from typing import Any


def redis_settings(redis_url: str) -> dict[str, Any]:
    """Cache, sessions, throttling and the Celery broker: Redis when configured, else in-process.

    DRF throttling uses Django's default cache, so it follows ``CACHES``.
    """
    if redis_url:
        return {
            "CACHES": {
                "default": {
                    "BACKEND": "django_redis.cache.RedisCache",
                    "LOCATION": redis_url,
                    "KEY_PREFIX": "openleg",
                    "OPTIONS": {
                        "CLIENT_CLASS": "django_redis.client.DefaultClient",
                        "SOCKET_CONNECT_TIMEOUT": 2,
                        "SOCKET_TIMEOUT": 2,
                    },
                }
            },
            "SESSION_ENGINE": "django.contrib.sessions.backends.cache",
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
