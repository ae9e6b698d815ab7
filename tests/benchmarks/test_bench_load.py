"""bench_load's own parts: how an answer is sorted, what the client sends as the proxy would, the goal, the limit
checks, and the stack's CPU figure. The client is tried against a small HTTP server of the standard library over
a real loopback socket."""

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks.load_client import Client, outcome_of
from benchmarks.load_limits import LimitCheck
from benchmarks.load_report import Figures, verdict
from benchmarks.stack import celery_command, production_environment, tree_cpu_seconds


def test_answers_are_sorted_into_ok_throttled_server_unexpected_and_connection():
    assert [outcome_of(status, (200,)) for status in (200, 302, 429, 500, 502, 404, 0)] == [
        "ok", "unexpected", "throttled", "server", "server", "unexpected", "connection",
    ]
    assert outcome_of(302, (302,)) == "ok"


class _Door(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list = []

    def _answer(self, status: int, cookies: list[str]) -> None:
        body = b"ok"
        self.send_response(status)
        for cookie in cookies:
            self.send_header("Set-Cookie", cookie)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.seen.append(("GET", self.path, dict(self.headers), b""))
        if self.path == "/login/":
            self._answer(200, ["csrftoken=abc123; Path=/; Secure; SameSite=Lax"])
        else:
            self._answer(200, ["sessionid=; Max-Age=0; Path=/"])

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append(("POST", self.path, dict(self.headers), body))
        self._answer(302, ["sessionid=s3ss10n; Path=/; HttpOnly; Secure"])

    def log_message(self, *args):
        pass


@pytest.fixture
def door():
    _Door.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Door)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_client_logs_in_as_a_browser_behind_the_proxy(door):
    port = door.server_address[1]
    client = Client(port, scenario="portal", address="198.51.100.7")

    assert client.log_in("/login/", "desk", "secret") is True
    client.get("dashboard", "/home/")
    client.close()

    (_, _, page, _), (_, _, login, body), (_, _, home, _) = _Door.seen
    assert page["X-Forwarded-Proto"] == "https" and page["X-Forwarded-For"] == "198.51.100.7"
    assert body == b"csrfmiddlewaretoken=abc123&username=desk&password=secret"
    assert login["Origin"] == f"https://127.0.0.1:{port}"
    assert login["Cookie"] == "csrftoken=abc123"  # the secure cookie travels to the proxy's plain side
    assert home["Cookie"] == "csrftoken=abc123; sessionid=s3ss10n"
    assert client.cookies == {"csrftoken": "abc123"}  # Max-Age=0 took the session away
    assert [(s.label, s.outcome, s.status) for s in client.samples] == [
        ("login page", "ok", 200), ("login", "ok", 302), ("dashboard", "ok", 200),
    ]


def test_a_refused_connection_is_a_connection_error_with_its_reason():
    client = Client(1, scenario="b2b", address="198.51.100.8")  # nothing listens on port 1

    answer = client.get("status", "/api/v1/status")

    assert (answer.status, client.samples[0].outcome) == (0, "connection")
    assert client.first_failure.startswith("status GET /api/v1/status: no answer ConnectionRefusedError")


def test_the_goal_is_no_error_and_p99_under_500_ms_for_pages_and_reads():
    assert verdict("portal", Figures([0.1] * 99 + [0.9], errors=0, throttled=0)) == "ok"  # the slowest 1 %
    assert verdict("portal", Figures([0.1] * 98 + [0.5, 0.5], errors=0, throttled=0)) == "MISSED"
    assert verdict("mcp", Figures([0.1] * 100, errors=1, throttled=0)) == "MISSED"
    assert verdict("b2b", Figures([0.1] * 100, errors=0, throttled=40)) == "ok"  # 429 is counted apart
    assert verdict("upload", Figures([2.0] * 10, errors=0, throttled=0)) == "ok (no latency goal)"
    assert verdict("staff", Figures([], errors=0, throttled=0)) == "MISSED"


def test_a_limit_holds_exactly_when_the_limit_got_through_and_every_other_call_got_429_with_retry_after():
    def check(statuses, retry_after):
        return LimitCheck("B2B", 50, 80, Counter(statuses), retry_after).exact

    assert check({200: 50, 429: 30}, 30) is True
    assert check({200: 50, 429: 30}, 29) is False  # one 429 without Retry-After
    assert check({200: 51, 429: 29}, 29) is False
    assert check({200: 50, 429: 29, 500: 1}, 29) is False


def test_the_stack_runs_the_production_settings_with_the_changes_the_benchmark_names():
    base = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/openleg_load", "REDIS_URL": "redis://127.0.0.1/9"}

    assert production_environment(base, secret_key="k" * 50, METER_IMPORT_ASYNC_BYTES="0") == {
        **base, "DJANGO_SETTINGS_MODULE": "openleg.settings.production", "SECRET_KEY": "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "METER_IMPORT_ASYNC_BYTES": "0",
    }
    assert celery_command("worker") == [sys.executable, "-m", "celery", "-A", "openleg", "worker", "--loglevel=INFO"]
    assert celery_command("beat")[5:] == [
        "beat",
        "--loglevel=INFO", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler", "--pidfile", "",
    ]


def test_the_cpu_of_a_process_tree_counts_its_children():
    earlier = tree_cpu_seconds(os.getpid()) - time.process_time()  # children this test run started and reaped before
    child = subprocess.Popen(
        [sys.executable, "-c", "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass\n"
         "time.sleep(30)"]
    )
    try:
        deadline, children = time.monotonic() + 30, 0.0  # on a busy machine the child's half second takes longer
        while children < 0.45 and time.monotonic() < deadline:
            time.sleep(0.2)
            children = tree_cpu_seconds(os.getpid()) - time.process_time() - earlier
        assert 0.45 <= children < 2.0  # the child's half second (and its start), besides this process's own
    finally:
        child.kill()
        child.wait()


class _ClosingDoor(BaseHTTPRequestHandler):
    """Answers as kept alive, then closes the connection: as uvicorn after its keep-alive timeout."""

    protocol_version = "HTTP/1.1"
    requests = 0

    def _answer(self) -> None:
        type(self).requests += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
        self.close_connection = True  # without saying so

    def do_GET(self):
        self._answer()

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self._answer()

    def log_message(self, *args):
        pass


def test_a_get_sent_into_a_closed_kept_alive_connection_goes_again_on_a_new_one_a_post_does_not():
    _ClosingDoor.requests = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ClosingDoor)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = Client(server.server_address[1], scenario="portal", address="198.51.100.9")
        client.get("first", "/")
        time.sleep(0.2)  # the server has closed its end meanwhile
        client.get("second", "/")
        time.sleep(0.2)
        client.post_form("apply", "/", {})
        client.close()
    finally:
        server.shutdown()
        server.server_close()

    assert [(s.label, s.outcome) for s in client.samples] == [
        ("first", "ok"), ("second", "ok"), ("apply", "connection"),
    ]
    assert _ClosingDoor.requests == 2
