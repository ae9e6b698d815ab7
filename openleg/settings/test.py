"""Tests: the same services as configured (CI sets DATABASE_URL and REDIS_URL), fast hashing."""

from openleg.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = BASE_DIR / "build" / "test-media"  # noqa: F405

# Serve static files from the apps without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
