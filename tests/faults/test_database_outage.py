"""PostgreSQL stopped, and restarted, under the running app (uvicorn, production settings, connection pool).

While it is down every request answers at once: 503 naming the database (a German page, or the API's error shape),
``/healthz`` 503. Once it is back, the very next requests succeed, without restarting the app.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.faults.conftest import log_in, mcp

# django_db: pytest-django then creates the test database, which the private cluster copies.
pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.django_db]

DOWN_PAGE = "<p>Die Datenbank ist im Moment nicht erreichbar. Bitte versuchen Sie es in einer Minute erneut.</p>"
DOWN_API = {
    "error": {
        "code": "service_unavailable",
        "message": "Die Datenbank ist im Moment nicht erreichbar. Bitte in 10 Sekunden wieder versuchen.",
        "details": {"service": "database", "retry_after_seconds": 10},
    }
}
BOUND_SECONDS = 5  # no request waits longer than this for an answer, database or not


@pytest.fixture(autouse=True)
def postgres_back(fault_postgres):
    yield
    if not fault_postgres.running():
        fault_postgres.start()


def get(app, path: str, **options) -> tuple[requests.Response, float]:
    started = time.monotonic()
    answer = requests.get(f"{app.base}{path}", timeout=30, allow_redirects=False, **options)
    return answer, time.monotonic() - started


def test_database_stopped_answers_503_at_once_and_the_app_recovers_by_itself(app, seeded, fault_postgres):
    session, bearer = log_in(app), {"Authorization": f"Bearer {seeded}"}
    assert get(app, "/api/agent/v1/", headers=bearer)[0].status_code == 200

    fault_postgres.stop()
    health, seconds = get(app, "/healthz")
    assert (health.status_code, health.json()["status"], health.json()["checks"]) == (
        503, "error", {"database": "error: OperationalError", "redis": "ok"}
    )
    assert seconds < BOUND_SECONDS
    api, seconds = get(app, "/api/agent/v1/", headers=bearer)
    assert (api.status_code, api.headers["Retry-After"], api.json()) == (503, "10", DOWN_API)
    assert seconds < BOUND_SECONDS
    page, seconds = get(app, "/accounts/password_change/", cookies=session)
    assert (page.status_code, page.headers["Content-Type"]) == (503, "text/html; charset=utf-8")
    assert DOWN_PAGE in page.text and "<h1>Vorübergehend nicht verfügbar</h1>" in page.text
    assert "Traceback" not in page.text and "OperationalError" not in page.text
    assert seconds < BOUND_SECONDS
    started = time.monotonic()
    tools = mcp(app, seeded, "tools/list", {})  # the MCP door finds its token in the database first
    assert (tools.status_code, tools.headers["Retry-After"], tools.json()) == (503, "10", DOWN_API)
    assert time.monotonic() - started < BOUND_SECONDS

    fault_postgres.start()
    health, _seconds = get(app, "/healthz")
    # 200 again; "degraded" only because this app runs no beat and no worker (their heartbeats are missing).
    assert (health.status_code, health.json()["checks"], health.json()["stale"]) == (
        200, {"database": "ok", "redis": "ok"}, ["beat", "worker"]
    )
    assert get(app, "/api/agent/v1/", headers=bearer)[0].status_code == 200
    assert mcp(app, seeded, "tools/list", {}).status_code == 200
    page, _seconds = get(app, "/accounts/password_change/", cookies=session)
    assert (page.status_code, "<h1>Passwort ändern</h1>" in page.text) == (200, True)
    assert log_in(app)["sessionid"]


def test_database_restarted_between_requests_the_next_ones_succeed(app, seeded, fault_postgres):
    """The pool's idle connections died with the restart: they are checked before use, not handed to a request."""
    bearer = {"Authorization": f"Bearer {seeded}"}
    for _warm in range(4):
        assert get(app, "/api/agent/v1/", headers=bearer)[0].status_code == 200

    fault_postgres.restart()
    statuses = [get(app, path, headers=bearer)[0].status_code for path in ["/healthz", "/api/agent/v1/"] * 4]
    assert statuses == [200] * 8


def test_database_restarted_during_requests_every_answer_is_200_or_a_clean_503(app, seeded, fault_postgres):
    bearer = {"Authorization": f"Bearer {seeded}"}

    def ask(number: int) -> tuple[int, str, float]:
        answer, seconds = get(app, "/api/agent/v1/", headers=bearer)
        code = answer.json()["error"]["code"] if answer.status_code != 200 else "ok"
        return answer.status_code, code, seconds

    with ThreadPoolExecutor(max_workers=4) as pool:
        during = pool.map(ask, range(400))
        time.sleep(0.5)
        fault_postgres.restart()
        answers = list(during)
    assert {(status, code) for status, code, _seconds in answers} <= {(200, "ok"), (503, "service_unavailable")}
    assert max(seconds for _status, _code, seconds in answers) < BOUND_SECONDS
    assert [ask(number)[0] for number in range(5)] == [200] * 5
