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
