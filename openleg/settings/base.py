"""Settings shared by every environment. Values come from the environment (README lists them)."""

from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

from openleg.settings.components import BROKER_TIMEOUTS, logging_settings, redis_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Only behind a reverse proxy that sets X-Forwarded-Proto (and X-Forwarded-For) itself, overwriting what clients
# send, may Django believe these headers: otherwise any client could claim HTTPS or another address.
OPENLEG_BEHIND_PROXY = env.bool("OPENLEG_BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if OPENLEG_BEHIND_PROXY else None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "djstripe",
    "csp",
    "openleg",
    "accounts",
    "pipeline",
    "communities",
    "metering",
    "billing",
    "payments",
    "documents",
    "api",
    "subscriptions",
]

MIDDLEWARE = [
    # First: the request id, the access log line and the request metrics see every answer (openleg/request_signals.py).
    "openleg.request_signals.RequestSignalsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

# Content-Security-Policy on every response (django-csp). Scripts only from our own static files (an inline script
# needs the request's nonce: <script nonce="{{ request.csp_nonce }}">). Inline styles stay allowed: the SVG charts,
# our admin templates and Django's own change list carry style attributes; they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "openleg.urls"
WSGI_APPLICATION = "openleg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "communities.context_processors.portal_navigation",
                "subscriptions.gate.subscription_banner",
            ],
            # chf, kwh, kw, rappen, percent, day, moment, … and unlocalize for ids and codes (see FORMAT_MODULE_PATH)
            "builtins": ["openleg.templatetags.formats", "django.templatetags.l10n"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# What users read is German (de-CH); msgids are German. locale/de_CH gives Django's strings the Swiss spelling
# (scripts/de_ch_catalogue). French joins LANGUAGES once locale/fr_CH translates our strings: offered before that,
# a French browser got Django's French beside our German on the same page.
LANGUAGE_CODE = "de-ch"
LANGUAGES = [("de-ch", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Zurich"  # display only; everything stored and computed inside is UTC
# Numbers and dates people read: 1'234.50 and 07.12.2026 (openleg.formats; Django's own display through these
# modules). Thousands separators in every localized number: codes and ids in templates go through |unlocalize.
FORMAT_MODULE_PATH = ["openleg.locale_formats"]
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Served only by openleg.file_views (permission checked); never map it to MEDIA_ROOT in a web server.
MEDIA_URL = "files/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "openleg.storage.WholeFileSystemStorage"},  # a file is kept whole or not at all
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REDIS_URL = env("REDIS_URL", default="")
_services = redis_settings(REDIS_URL)
CACHES = _services["CACHES"]
SESSION_ENGINE = _services["SESSION_ENGINE"]
SESSION_CACHE_ALIAS = _services["SESSION_CACHE_ALIAS"]

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=_services["CELERY_BROKER_URL"])
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=_services["CELERY_TASK_ALWAYS_EAGER"])
CELERY_TASK_EAGER_PROPAGATES = True
# The broker's socket timeouts, publishing's short retries, the worker's endless reconnecting (README "Faults").
globals().update(BROKER_TIMEOUTS)
CELERY_RESULT_BACKEND = None
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Faults (README "Faults: workers and beat"). A task whose worker process dies (SIGKILL, out of memory) is queued
# again rather than acknowledged as failed: the tasks are safe to run twice (claims in the database). A message
# held by a worker that died as a whole comes back after the Redis visibility timeout, which must outlast the
# longest task (hard time limit 30 min) and the longest countdown (8 min), or a slow task would run twice at once.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **BROKER_TIMEOUTS["CELERY_BROKER_TRANSPORT_OPTIONS"],  # keep the socket timeouts beside it
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=35 * 60),
}
# A worker that loses Redis stops its running tasks (their transactions roll back): Redis hands the unacknowledged
# messages out again, and the same work must not run twice side by side.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TIMEZONE = "Europe/Zurich"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# The API (api/): agent tokens as bearers only (the portal and the admin keep their sessions; no DRF view takes a
# session, so a logged-in browser cannot be led to call the API), one error shape for every failure, per-token
# throttles counted in the default cache (Redis in production), the schema by drf-spectacular.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.HasAgentToken"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.AgentTokenThrottle"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=50),
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,
}
# Calls per token: a rate ("120/min", "10/s", "5000/day") and the token's own daily budget per Europe/Zurich day.
AGENT_THROTTLE_RATE = env("AGENT_THROTTLE_RATE", default="120/min")
# How long the first answer to a POST with an Idempotency-Key is kept (a retry within it gets that answer again).
AGENT_IDEMPOTENCY_HOURS = env.int("AGENT_IDEMPOTENCY_HOURS", default=24)
# B2B API (/api/v1/): the calls a new client's every key may make per clock hour and per Europe/Zurich day.
B2B_DEFAULT_HOURLY_LIMIT = env.int("B2B_DEFAULT_HOURLY_LIMIT", default=1000)
B2B_DEFAULT_DAILY_LIMIT = env.int("B2B_DEFAULT_DAILY_LIMIT", default=10000)

SPECTACULAR_SETTINGS = {
    "TITLE": "OpenLEG API",
    "DESCRIPTION": (
        "OpenLEG (the back office for Swiss LEG). The B2B API under /api/v1/ (read-only, GET): authenticate with a "
        "B2B key (`Authorization: Bearer olk_…` or `X-API-Key: olk_…`); the key's tier opens the endpoints "
        "(starter: status, solar-index, formation-pipeline; professional: all; enterprise: by contract), each key "
        "has an hourly and a daily limit (429 with Retry-After). The agent tools: one operation per tool under "
        "/api/agent/v1/; authenticate with `Authorization: Bearer <token>` (an agent token from the admin or "
        "`manage.py agent_token create`). Every failure answers "
        '`{"error": {"code": "...", "message": "...", "details": {...}}}` with a stable English code and a German '
        "message. POST accepts an `Idempotency-Key` header: a retry with the same key and body gets the first "
        "answer again and starts nothing new."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Three choice sets of fields named "status" in the B2B answers: named here, not numbered by collision.
    "ENUM_NAME_OVERRIDES": {
        "CommunityStatusEnum": "communities.models.community.CommunityStatus",
        "BenchmarkStatusEnum": ["ok", "too_few_communities"],
        "ProfileStatusEnum": ["ok", "too_few_communities", "no_data"],
    },
    "PREPROCESSING_HOOKS": ["api.b2b.schema.drop_slash_twins"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_tool_examples",
        "api.b2b.schema.add_endpoint_examples",
    ],
}

# Login throttling (accounts/login_throttle.py): this many wrong passwords for one account, or from one address,
# within the window lock further tries (the right password too) for the window.
LOGIN_THROTTLE_ACCOUNT_FAILURES = env.int("LOGIN_THROTTLE_ACCOUNT_FAILURES", default=5)
LOGIN_THROTTLE_ADDRESS_FAILURES = env.int("LOGIN_THROTTLE_ADDRESS_FAILURES", default=20)
LOGIN_THROTTLE_WINDOW_SECONDS = env.int("LOGIN_THROTTLE_WINDOW_SECONDS", default=15 * 60)
# Password reset by e-mail (accounts/reset_throttle.py): mails per e-mail address, requests per client address.
PASSWORD_RESET_THROTTLE_EMAIL_MAILS = env.int("PASSWORD_RESET_THROTTLE_EMAIL_MAILS", default=3)
PASSWORD_RESET_THROTTLE_ADDRESS_REQUESTS = env.int("PASSWORD_RESET_THROTTLE_ADDRESS_REQUESTS", default=10)
PASSWORD_RESET_THROTTLE_WINDOW_SECONDS = env.int("PASSWORD_RESET_THROTTLE_WINDOW_SECONDS", default=60 * 60)

# Meter files: larger ones are refused with a clear message; admin uploads above the second
# figure are applied by a Celery task.
METER_IMPORT_MAX_BYTES = env.int("METER_IMPORT_MAX_BYTES", default=512 * 1024 * 1024)
METER_IMPORT_ASYNC_BYTES = env.int("METER_IMPORT_ASYNC_BYTES", default=5 * 1024 * 1024)
# A rejected file is recorded (who, when, why); its bytes are kept only when this asks for them.
METER_IMPORT_KEEP_REJECTED_FILES = env.bool("METER_IMPORT_KEEP_REJECTED_FILES", default=False)

# Plausibility notes on import (stored, listed by billing, never a rejection): a quarter-hour above this many
# times the point's usual level (95th percentile of its non-zero values over the last window days, when at least
# the minimum days of values are there), and production while the sun is below this elevation at the reference
# location (the middle of Switzerland).
METER_PLAUSIBILITY_FACTOR = env.int("METER_PLAUSIBILITY_FACTOR", default=10)
METER_PLAUSIBILITY_WINDOW_DAYS = env.int("METER_PLAUSIBILITY_WINDOW_DAYS", default=28)
METER_PLAUSIBILITY_MIN_DAYS = env.int("METER_PLAUSIBILITY_MIN_DAYS", default=7)
METER_NIGHT_SUN_ELEVATION = env.float("METER_NIGHT_SUN_ELEVATION", default=-6.0)
METER_SOLAR_LATITUDE = env.float("METER_SOLAR_LATITUDE", default=46.8)
METER_SOLAR_LONGITUDE = env.float("METER_SOLAR_LONGITUDE", default=8.23)

# Formation rules (StromVV Art. 19e; domain A3, A6): renewable capacity at least this share of the
# summed connection capacity, and the start at least this many months after the registration.
LEG_MIN_PRODUCTION_SHARE = Decimal(env.str("LEG_MIN_PRODUCTION_SHARE", default="0.05"))
LEG_REGISTRATION_LEAD_MONTHS = env.int("LEG_REGISTRATION_LEAD_MONTHS", default=3)

# Payment reminders (payments/reminders.py): the first reminder this many days after the due date, the next ones
# as many days after the previous reminder's due date, at most REMINDER_MAX_LEVEL reminders; each gives
# REMINDER_PAYMENT_DAYS to pay. The fee is the community's (from the second reminder on).
REMINDER_AFTER_DAYS = env.int("REMINDER_AFTER_DAYS", default=10)
REMINDER_MAX_LEVEL = env.int("REMINDER_MAX_LEVEL", default=3)
REMINDER_PAYMENT_DAYS = env.int("REMINDER_PAYMENT_DAYS", default=10)

# VAT rate of Switzerland for supplies since 2024-01-01 (MWSTG Art. 25).
VAT_STANDARD_RATE = Decimal(env.str("VAT_STANDARD_RATE", default="0.081"))

# E-signature with DeepSign (DeepCloud AG). Without the credentials DeepSign stays off and the admin says which
# setting is missing. OPENLEG_PUBLIC_URL is this installation's public address, for the callbacks DeepSign makes.
DEEPSIGN_CLIENT_ID = env("DEEPSIGN_CLIENT_ID", default="")
DEEPSIGN_CLIENT_SECRET = env("DEEPSIGN_CLIENT_SECRET", default="")
DEEPSIGN_USERNAME = env("DEEPSIGN_USERNAME", default="")
DEEPSIGN_PASSWORD = env("DEEPSIGN_PASSWORD", default="")
DEEPSIGN_COMPANY_ID = env("DEEPSIGN_COMPANY_ID", default="")
DEEPSIGN_BASE_URL = env("DEEPSIGN_BASE_URL", default="https://api.sign.deepbox.swiss/api/v1")
DEEPSIGN_TOKEN_URL = env(
    "DEEPSIGN_TOKEN_URL", default="https://deepcloud.swiss/auth/realms/sso/protocol/openid-connect/token"
)
OPENLEG_PUBLIC_URL = env("OPENLEG_PUBLIC_URL", default="")

# E-mail (documents/mail.py sends invoices through Django's backend). The console backend prints mails in local
# development and the demo; production defaults to SMTP. Invoices go out from OPENLEG_INVOICE_FROM_EMAIL under
# the community's name, with the community's reply-to address.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="rechnungen@localhost")
OPENLEG_INVOICE_FROM_EMAIL = env("OPENLEG_INVOICE_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
# Printed on credit statements of communities that pay credits out: "innert 30 Tagen".
OPENLEG_PAYOUT_DAYS = env.int("OPENLEG_PAYOUT_DAYS", default=30)

# Sales pipeline (pipeline/scoring.py). Weights of the score factors, adding up to 100, as
# "population=30;solar=30;competition=25;smart_meters=15". Population and untapped roof solar potential
# saturate: the *_HALF figure earns half of the factor. Installed PV is assumed to yield
# PIPELINE_PV_YIELD_KWH_PER_KWP per year; a utility without a recorded smart meter share counts with the default.
PIPELINE_SCORE_WEIGHTS = env.dict(
    "PIPELINE_SCORE_WEIGHTS",
    cast={"value": int},
    default={"population": 30, "solar": 30, "competition": 25, "smart_meters": 15},
)
PIPELINE_SCORE_POPULATION_HALF = env.int("PIPELINE_SCORE_POPULATION_HALF", default=20_000)
PIPELINE_SCORE_UNTAPPED_SOLAR_HALF_MWH = Decimal(env.str("PIPELINE_SCORE_UNTAPPED_SOLAR_HALF_MWH", default="100000"))
PIPELINE_PV_YIELD_KWH_PER_KWP = Decimal(env.str("PIPELINE_PV_YIELD_KWH_PER_KWP", default="1000"))
PIPELINE_SCORE_SMART_METER_DEFAULT = Decimal(env.str("PIPELINE_SCORE_SMART_METER_DEFAULT", default="0.5"))

# Readable text lines here; production writes one JSON object per line (settings/production.py). Both carry the
# request id (X-Request-ID) and, in a Celery worker, the task; every request leaves one line on "openleg.access".
LOGGING = logging_settings(json_lines=False, level=env("LOG_LEVEL", default="INFO"))

# What an operator watches (README "Logs, metrics and health"). /metrics answers a bearer of the token, or an address
# (or network) of the list; anyone else gets 404. Counters of several processes are summed from the files that
# prometheus_client keeps in PROMETHEUS_MULTIPROC_DIR (set per process before it starts): OPENLEG_METRICS_DIR is where
# /metrics reads them, that folder and its subfolders (one per container in docker compose).
OPENLEG_METRICS_TOKEN = env("OPENLEG_METRICS_TOKEN", default="")
OPENLEG_METRICS_ALLOWED_IPS = [
    net for net in env.list("OPENLEG_METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"]) if net
]
OPENLEG_METRICS_DIR = env("OPENLEG_METRICS_DIR", default=env("PROMETHEUS_MULTIPROC_DIR", default=""))
# /healthz says "degraded" when beat's or the worker's last heartbeat (every minute) is older than this.
OPENLEG_HEARTBEAT_STALE_SECONDS = env.int("OPENLEG_HEARTBEAT_STALE_SECONDS", default=5 * 60)

# MCP server for the agent (api/mcp/, served by openleg/asgi.py under uvicorn): the path of its streamable-HTTP
# endpoint. The tools, tokens and scopes are the agent API's; the SDK's DNS-rebinding protection admits the names
# of ALLOWED_HOSTS (any port) and Origins of those names and of CSRF_TRUSTED_ORIGINS.
MCP_PATH = env("MCP_PATH", default="/mcp")


# Subscriptions of the utilities through Stripe (dj-stripe 2.11). Without a secret key payments are not set up:
# the portal's subscription page says so and nothing else changes. Keys and mode come from the environment only.
STRIPE_LIVE_MODE = env.bool("STRIPE_LIVE_MODE", default=False)
STRIPE_TEST_SECRET_KEY = env("STRIPE_TEST_SECRET_KEY", default="")
STRIPE_LIVE_SECRET_KEY = env("STRIPE_LIVE_SECRET_KEY", default="")
STRIPE_TEST_PUBLIC_KEY = env("STRIPE_TEST_PUBLIC_KEY", default="")
STRIPE_LIVE_PUBLIC_KEY = env("STRIPE_LIVE_PUBLIC_KEY", default="")
STRIPE_API_VERSION = "2026-05-27.dahlia"  # pinned: dj-stripe 2.11's version; Stripe answers in this shape
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
DJSTRIPE_SUBSCRIBER_MODEL = "pipeline.Utility"  # the utility subscribes, not a person
DJSTRIPE_WEBHOOK_SECRET = env("DJSTRIPE_WEBHOOK_SECRET", default="")  # the /webhook/stripe endpoint's signing secret
# dj-stripe's migrations take minutes on SQLite (one rebuilds a table hundreds of times): on SQLite (the demo, quick
# test runs) its tables are made from its models (`migrate --run-syncdb`, and test databases do so by themselves);
# PostgreSQL (production, CI) runs its real migrations.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    MIGRATION_MODULES = {"djstripe": None}
# Days a past-due subscription keeps the portal fully usable (with a banner) before new work is refused.
SUBSCRIPTION_GRACE_DAYS = env.int("SUBSCRIPTION_GRACE_DAYS", default=14)
