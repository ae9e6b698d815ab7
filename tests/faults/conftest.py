"""Fixtures of the fault tests: a private PostgreSQL cluster holding a copy of the test database (migrated once by
pytest-django; copying it takes seconds where migrating takes minutes), private Redis servers, and the app."""

import shutil
import tempfile
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests.faults.servers import App, PrivatePostgres, PrivateRedis, manage, server_env

DATABASE = "openleg"
PASSWORD = "Stoerung-2026-Probe"
SEED = f"""
from accounts.models import User
from api.tokens import agent_token_create
User.objects.create_user(username="stoerung", password="{PASSWORD}", is_staff=True)
print(agent_token_create(name="stoerung", scopes=["billing:read"], utility=None).secret)
"""


@pytest.fixture(scope="session")
def fault_directory():
    # Not under pytest's tmp_path: its parents are private to root, and PostgreSQL runs as the postgres user.
    directory = Path(tempfile.mkdtemp(prefix="openleg-faults-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def _libpq_source() -> tuple[list[str], dict[str, str]]:
    settings = connection.settings_dict
    arguments = ["-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432), "-d", settings["NAME"]]
    if settings["USER"]:
        arguments += ["-U", settings["USER"]]
    return arguments, {"PGPASSWORD": settings["PASSWORD"]} if settings["PASSWORD"] else {}


@pytest.fixture(scope="session")
def fault_postgres(django_db_setup, django_db_blocker, fault_directory):
    """The private cluster, with database ``openleg`` copied from the migrated test database."""
    directory = fault_directory / "postgres"
    directory.mkdir()
    server = PrivatePostgres(directory)
    server.start()
    try:
        with django_db_blocker.unblock():
            arguments, env = _libpq_source()
        server.copy_database(arguments, env, DATABASE)
        yield server
    finally:
        if server.running():
            server.stop()


def _redis(fault_directory):
    directory = Path(tempfile.mkdtemp(dir=fault_directory, prefix="redis-"))
    server = PrivateRedis(directory)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fault_redis(fault_directory):
    """A private Redis for one test, always stopped at its end."""
    yield from _redis(fault_directory)


@pytest.fixture(scope="session")
def app_redis(fault_directory):
    """The private Redis of the app (a test that stops it starts it again)."""
    yield from _redis(fault_directory)


@pytest.fixture(scope="session")
def app(fault_postgres, app_redis, seeded, fault_directory):
    """The app, for every fault test of the web doors. The agent rate limit is lifted: a test asks hundreds of times
    a second."""
    env = server_env(
        DATABASE_URL=fault_postgres.url(DATABASE), REDIS_URL=app_redis.url(), MEDIA_ROOT=str(fault_directory / "media"),
        AGENT_THROTTLE_RATE="100000/min",
    )
    server = App(env, fault_directory / "app.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def seeded(fault_postgres) -> str:
    """A staff login (``stoerung`` / PASSWORD) and an agent token (returned) in the private database."""
    env = server_env(DATABASE_URL=fault_postgres.url(DATABASE))
    return manage(env, "shell", "-c", SEED).strip().splitlines()[-1]


def log_in(app: App) -> dict[str, str]:
    """Log the staff user in through the login form; the session cookie (sent by hand: it is Secure, and the test
    speaks plain HTTP)."""
    form = requests.get(f"{app.base}/accounts/login/", timeout=10)
    csrf = form.cookies["csrftoken"]
    answer = requests.post(
        f"{app.base}/accounts/login/",
        data={"username": "stoerung", "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        cookies={"csrftoken": csrf}, allow_redirects=False, timeout=20,
    )
    assert answer.status_code == 302, answer.text[:500]
    return {"sessionid": answer.cookies["sessionid"], "csrftoken": csrf}


def mcp(app: App, secret: str, method: str, params: dict) -> requests.Response:
    """One JSON-RPC request to the MCP server (stateless: no session to open first)."""
    return requests.post(
        f"{app.base}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=30,
        headers={"Authorization": f"Bearer {secret}", "Accept": "application/json, text/event-stream"},
    )
