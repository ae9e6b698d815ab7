"""Development on the embedded default: SQLite, in-process cache, eager Celery."""

from openleg.settings.base import *  # noqa: F403
from openleg.settings.base import env

DEBUG = env.bool("DEBUG", default=True)

# Serve static files from the apps without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
