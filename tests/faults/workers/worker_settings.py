"""Settings of the worker and command processes that the fault tests start and kill: the development settings on
the test database (DATABASE_URL) and a private Redis (REDIS_URL), with the Redis transport sweeping for the
messages of dead workers every second instead of every ~100 s, so that a test waits for the visibility timeout
it sets (CELERY_VISIBILITY_TIMEOUT) and not for the sweep."""

from openleg.settings.local import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
