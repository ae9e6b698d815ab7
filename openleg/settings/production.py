"""Production: secrets and hosts have no default, so a missing one stops the start.

HTTPS is enforced here (redirect, HSTS, secure cookies); ``manage.py check --deploy`` stays clean. Behind the
reverse proxy of docker-compose.yml, ``OPENLEG_BEHIND_PROXY`` makes Django trust the proxy's X-Forwarded-Proto.
"""

import logging

import environ

from openleg.settings.base import *  # noqa: F403
from openleg.settings.components import logging_settings

_env = environ.Env()

SECRET_KEY = _env("SECRET_KEY")
ALLOWED_HOSTS = _env.list("ALLOWED_HOSTS")
DATABASES = {"default": _env.db("DATABASE_URL")}
# Served by ASGI (uvicorn): Django runs each request's sync code in a thread of its own, so a connection kept past
# the request would be left behind with its thread. Django's advice under ASGI: no persistent connections; on
# PostgreSQL a connection pool per worker process instead (psycopg_pool through Django's "pool" option), so that a
# request borrows an open connection rather than paying PostgreSQL's connection start (a new backend process).
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _env.int("DB_POOL_MAX_SIZE", default=8):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": _env.int("DB_POOL_MIN_SIZE", default=2),
        "max_size": _env.int("DB_POOL_MAX_SIZE", default=8),
        "timeout": _env.int("DB_POOL_TIMEOUT_SECONDS", default=10),
    }
DEBUG = False
# One JSON object per line (openleg/log_format.py), with the request id; uvicorn's own access log is off
# (docker-compose.yml): openleg.access writes one line per request.
LOGGING = logging_settings(json_lines=True, level=_env("LOG_LEVEL", default="INFO"))
logging.captureWarnings(True)  # Python's warnings too, as JSON lines of the logger "py.warnings"
EMAIL_BACKEND = _env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
}
SECURE_SSL_REDIRECT = _env.bool("SECURE_SSL_REDIRECT", default=True)
# The container's health check and Prometheus ask over plain HTTP from inside; they must not be redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_SECONDS = _env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = _env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
