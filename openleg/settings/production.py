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
# PostgreSQL restarted or unreachable (README "Faults: database and Redis"): a request waits at most
# DB_POOL_TIMEOUT_SECONDS for a connection, then answers 503. CONN_HEALTH_CHECKS: Django has the pool check each
# connection (one round trip) before a request gets it, so the connections a restart killed are replaced instead of
# failing the next requests.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["connect_timeout"] = _env.int("DB_CONNECT_TIMEOUT_SECONDS", default=5)  # an address that never answers
    if _env.int("DB_POOL_MAX_SIZE", default=8):
        _options["pool"] = {
            "min_size": _env.int("DB_POOL_MIN_SIZE", default=2),
            "max_size": _env.int("DB_POOL_MAX_SIZE", default=8),
            "timeout": _env.int("DB_POOL_TIMEOUT_SECONDS", default=3),
            # A failed connection attempt is retried with doubling pauses (1, 2, 4 … s) until this many seconds,
            # then dropped; the next request starts a fresh attempt at once. The pool's default (300 s) let the
            # pauses grow to a minute: after a long outage, requests kept failing that long once PostgreSQL was back.
            "reconnect_timeout": 5,
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
