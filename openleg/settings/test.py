"""Tests: the same services as configured (CI sets DATABASE_URL and REDIS_URL), fast hashing."""

import os

from openleg.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
# One directory per pytest-xdist worker (gw0, gw1, …): parallel tests never write the same file.
MEDIA_ROOT = BASE_DIR / "build" / "test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405

# Serve static files from the apps without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# One cache key space per worker too: parallel workers share the Redis database, and their counters (throttles,
# budgets) must not meet.
CACHES["default"]["KEY_PREFIX"] = "openleg-test-" + os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405
