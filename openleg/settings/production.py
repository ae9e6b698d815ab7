"""Production: secrets and hosts have no default, so a missing one stops the start."""

import environ

from openleg.settings.base import *  # noqa: F403

_env = environ.Env()

SECRET_KEY = _env("SECRET_KEY")
ALLOWED_HOSTS = _env.list("ALLOWED_HOSTS")
DATABASES = {"default": _env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = _env.int("CONN_MAX_AGE", default=60)
DEBUG = False
EMAIL_BACKEND = _env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
