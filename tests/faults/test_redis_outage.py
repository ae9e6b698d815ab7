"""Redis stopped, or frozen, under the running app: nothing waits for it longer than its timeouts.

What needs Redis refuses with a 503 that names it (the API's throttles and the login throttle cannot count: see the
README, "Faults: database and Redis"); sessions are kept in PostgreSQL too, so logged-in people keep working;
``/healthz`` says 503 and names Redis. Once Redis is back, everything answers as before without a restart.
"""

import json
import subprocess
import sys
import time

import pytest
import requests

from tests.faults.conftest import DATABASE, PASSWORD, log_in, mcp
from tests.faults.servers import ROOT, server_env

# django_db: pytest-django then creates the test database, which the private cluster copies.
pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.django_db]

BOUND_SECONDS = 5
TOOL = "get_billing_reconciliation"  # a read the seeded token's scope billing:read opens
REDIS_DOWN_PAGE = (
    "<p>Der Zwischenspeicher (Redis) ist im Moment nicht erreichbar. Bitte versuchen Sie es in einer Minute erneut.</p>"
)
REDIS_DOWN_API = {
    "error": {
        "code": "service_unavailable",
        "message": (
            "Der Zwischenspeicher (Redis) ist im Moment nicht erreichbar. Bitte in 10 Sekunden wieder versuchen."
        ),
        "details": {"service": "redis", "retry_after_seconds": 10},
    }
}


@pytest.fixture(autouse=True)
def redis_back(app_redis):
    yield
    if app_redis.process is None:
        app_redis.start()


def timed(method, app, path: str, **options) -> tuple[requests.Response, float]:
    started = time.monotonic()
    answer = requests.request(method, f"{app.base}{path}", timeout=30, allow_redirects=False, **options)
    return answer, time.monotonic() - started


def log_in_form(app, session: dict[str, str]) -> requests.Response:
    return requests.post(
        f"{app.base}/accounts/login/",
        data={"username": "stoerung", "password": PASSWORD, "csrfmiddlewaretoken": session["csrftoken"]},
        cookies={"csrftoken": session["csrftoken"]}, allow_redirects=False, timeout=30,
    )


def check_redis_outage(app, seeded, session) -> None:
    bearer = {"Authorization": f"Bearer {seeded}"}
    health, seconds = timed("GET", app, "/healthz")
    assert (health.status_code, health.json()["checks"]["database"]) == (503, "ok")
    assert health.json()["checks"]["redis"] in {"error: ConnectionError", "error: TimeoutError"}
    assert seconds < BOUND_SECONDS

    api, seconds = timed("GET", app, "/api/agent/v1/", headers=bearer)
    assert (api.status_code, api.headers["Retry-After"], api.json()) == (503, "10", REDIS_DOWN_API)
    assert seconds < BOUND_SECONDS

    started = time.monotonic()
    call = mcp(app, seeded, "tools/call", {"name": TOOL, "arguments": {}})  # the same throttles count MCP calls
    assert (call.status_code, call.json()["result"]["isError"]) == (200, True)
    assert json.loads(call.json()["result"]["content"][0]["text"]) == REDIS_DOWN_API
    assert time.monotonic() - started < BOUND_SECONDS

    page, seconds = timed("GET", app, "/accounts/password_change/", cookies=session)
    assert (page.status_code, "<h1>Passwort ändern</h1>" in page.text) == (200, True)  # the session, from PostgreSQL
    assert seconds < BOUND_SECONDS

    started = time.monotonic()
    login = log_in_form(app, session)
    assert (login.status_code, REDIS_DOWN_PAGE in login.text) == (503, True)  # the login throttle cannot count
    assert "Traceback" not in login.text
    assert time.monotonic() - started < BOUND_SECONDS


def check_everything_answers(app, seeded, session) -> None:
    health, _seconds = timed("GET", app, "/healthz")
    # 200 again; "degraded" only because this app runs no beat and no worker (their heartbeats are missing).
    assert (health.status_code, health.json()["checks"], health.json()["stale"]) == (
        200, {"database": "ok", "redis": "ok"}, ["beat", "worker"]
    )
    assert timed("GET", app, "/api/agent/v1/", headers={"Authorization": f"Bearer {seeded}"})[0].status_code == 200
    assert mcp(app, seeded, "tools/call", {"name": TOOL, "arguments": {}}).json()["result"].get("isError") is not True
    assert timed("GET", app, "/accounts/password_change/", cookies=session)[0].status_code == 200
    assert log_in_form(app, session).status_code == 302


def test_redis_stopped_refuses_what_needs_it_keeps_sessions_and_recovers(app, seeded, app_redis):
    session = log_in(app)
    app_redis.stop()
    check_redis_outage(app, seeded, session)
    app_redis.start()  # empty: a restarted Redis without persistence has lost every key
    check_everything_answers(app, seeded, session)


def test_redis_frozen_answers_within_the_socket_timeouts(app, seeded, app_redis):
    """A Redis that accepts connections and never answers (a stopped process, a full machine) is the worse case."""
    session = log_in(app)
    app_redis.pause()
    try:
        check_redis_outage(app, seeded, session)
    finally:
        app_redis.resume()
    check_everything_answers(app, seeded, session)


def test_queueing_a_task_while_the_broker_is_stopped_or_frozen_fails_within_seconds(fault_postgres, fault_redis):
    """``delay()`` in a process with the production settings, as a web request calls it."""
    probe = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.publish_probe"], cwd=ROOT, text=True,
        env=server_env(DATABASE_URL=fault_postgres.url(DATABASE), REDIS_URL=fault_redis.url()),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )

    def publish() -> dict:
        probe.stdin.write("queue\n")
        probe.stdin.flush()
        return json.loads(probe.stdout.readline())

    try:
        assert publish()["error"] is None
        fault_redis.pause()
        frozen = publish()
        fault_redis.stop()
        stopped = publish()
        fault_redis.start()
        back = publish()
    finally:
        probe.kill()
        probe.wait(timeout=10)
    assert (frozen["error"], stopped["error"]) == ("kombu.exceptions.OperationalError",) * 2
    assert frozen["seconds"] < BOUND_SECONDS and stopped["seconds"] < BOUND_SECONDS
    assert back["error"] is None  # the connection the restart killed is replaced, not reported
