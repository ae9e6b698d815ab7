import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache

from openleg.settings.components import redis_settings


def test_without_redis_everything_runs_in_process():
    shape = redis_settings("")
    assert shape["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert shape["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert shape["CELERY_BROKER_URL"] == "memory://"
    assert shape["CELERY_TASK_ALWAYS_EAGER"] is True


def test_with_redis_cache_sessions_and_broker_use_it():
    shape = redis_settings("redis://127.0.0.1:6379/3")
    assert shape["CACHES"]["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert shape["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/3"
    assert shape["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert shape["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/3"
    assert shape["CELERY_TASK_ALWAYS_EAGER"] is False


def test_with_redis_sessions_are_stored_in_postgresql_and_read_through_a_cache_that_ignores_its_errors():
    shape = redis_settings("redis://127.0.0.1:6379/3")
    assert shape["SESSION_CACHE_ALIAS"] == "sessions"
    sessions, default = shape["CACHES"]["sessions"], shape["CACHES"]["default"]
    assert (sessions["LOCATION"], sessions["OPTIONS"]["IGNORE_EXCEPTIONS"]) == ("redis://127.0.0.1:6379/3", True)
    assert default["OPTIONS"]["IGNORE_EXCEPTIONS"] is False  # throttles must know when they cannot count
    assert (default["OPTIONS"]["SOCKET_CONNECT_TIMEOUT"], default["OPTIONS"]["SOCKET_TIMEOUT"]) == (2, 2)
    assert (sessions["OPTIONS"]["SOCKET_CONNECT_TIMEOUT"], sessions["OPTIONS"]["SOCKET_TIMEOUT"]) == (1, 1)


def test_the_broker_gives_up_within_seconds_when_publishing_and_the_worker_never_gives_up():
    from openleg.celery import app

    # The visibility timeout (README "Faults: workers and beat") sits beside the socket timeouts, not instead.
    assert app.conf.broker_transport_options == {
        "socket_connect_timeout": 2, "socket_timeout": 2, "visibility_timeout": 35 * 60
    }
    assert (app.conf.broker_connection_timeout, app.conf.broker_connection_max_retries) == (2, None)
    assert app.conf.task_publish_retry_policy["max_retries"] == 0


def test_drf_throttling_counts_in_the_default_cache():
    from rest_framework.throttling import SimpleRateThrottle

    assert SimpleRateThrottle.cache is cache or SimpleRateThrottle.cache.__class__ is cache.__class__


@pytest.mark.redis
def test_live_settings_use_redis_when_configured():
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    cache.set("openleg-test-roundtrip", "ok", 5)
    from django_redis import get_redis_connection

    assert get_redis_connection("default").get(cache.make_key("openleg-test-roundtrip")) is not None
    assert cache.get("openleg-test-roundtrip") == "ok"


def _import_production(env: dict[str, str], show: str = "settings.DEBUG") -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "REDIS_URL"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
            f"'openleg.settings.production'; from django.conf import settings; print({show})",
        ],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_each_secret(missing):
    env = {"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@localhost/db", "ALLOWED_HOSTS": "openleg.ch"}
    del env[missing]
    result = _import_production(env)
    assert result.returncode == 1
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_starts_with_its_secrets():
    result = _import_production(
        {"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@localhost/db", "ALLOWED_HOSTS": "openleg.ch"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


PRODUCTION = {"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@localhost/db", "ALLOWED_HOSTS": "openleg.ch"}
DATABASE = "settings.DATABASES['default']['CONN_MAX_AGE'], settings.DATABASES['default'].get('OPTIONS', {}).get('pool')"


def test_production_borrows_postgresql_connections_from_a_pool_instead_of_keeping_them():
    result = _import_production({**PRODUCTION, "CONN_MAX_AGE": "60"}, show=DATABASE)
    pool = "{'min_size': 2, 'max_size': 8, 'timeout': 3, 'reconnect_timeout': 5}"
    assert result.stdout.strip() == f"0 {pool}", result.stderr

    sized = _import_production(
        {**PRODUCTION, "DB_POOL_MIN_SIZE": "1", "DB_POOL_MAX_SIZE": "4", "DB_POOL_TIMEOUT_SECONDS": "7"}, show=DATABASE
    )
    sized_pool = "{'min_size': 1, 'max_size': 4, 'timeout': 7, 'reconnect_timeout': 5}"
    assert sized.stdout.strip() == f"0 {sized_pool}", sized.stderr

    without = _import_production({**PRODUCTION, "DB_POOL_MAX_SIZE": "0"}, show=DATABASE)
    assert without.stdout.strip() == "0 None", without.stderr


def test_production_checks_pooled_connections_and_gives_up_connecting_after_a_timeout():
    """A connection a PostgreSQL restart killed is replaced before a request gets it (README "Faults")."""
    show = (
        "settings.DATABASES['default']['CONN_HEALTH_CHECKS'], "
        "settings.DATABASES['default']['OPTIONS']['connect_timeout']"
    )
    assert _import_production(PRODUCTION, show=show).stdout.strip() == "True 5"
    assert _import_production({**PRODUCTION, "DB_CONNECT_TIMEOUT_SECONDS": "2"}, show=show).stdout.strip() == "True 2"


def _test_media_root(worker: str | None) -> str:
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"}
    if worker:
        env["PYTEST_XDIST_WORKER"] = worker
    result = subprocess.run(
        [sys.executable, "-c", "from openleg.settings import test; print(test.MEDIA_ROOT)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_each_xdist_worker_writes_test_files_into_its_own_media_root():
    build = settings.BASE_DIR / "build" / "test-media"

    assert [_test_media_root(worker) for worker in ("gw0", "gw1", None)] == [
        str(build / "gw0"),
        str(build / "gw1"),
        str(build / "main"),
    ]
