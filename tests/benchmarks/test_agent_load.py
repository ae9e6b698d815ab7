"""The load generator of bench_agent: figures, the goal, REST calls from threads, MCP calls from asyncio sessions.

REST is tried against a small HTTP server of the standard library, MCP against an MCP SDK server under uvicorn:
both over real loopback sockets, so what the benchmark counts (calls, errors, connections, sessions, the bearer
header) is what these tests assert exactly.
"""

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks.agent_load import LoadResult, mcp_load, percentile, rest_load, verdict

TOKEN = "olat_test-secret"
SUMMARY_PATH = "/api/agent/v1/get_billing_summary/"


def result(latencies, *, clients=16, errors=(), seconds=2.0) -> LoadResult:
    return LoadResult(
        door="REST", tool="get_billing_summary", clients=clients, seconds=seconds, latencies=latencies,
        errors=Counter(errors), client_cpu=0.5,
    )


def test_percentiles_are_nearest_rank():
    values = [0.010 * n for n in range(10, 0, -1)]  # 0.10 … 0.01, unsorted on purpose

    assert percentile(values, 50) == pytest.approx(0.05)
    assert percentile(values, 99) == pytest.approx(0.10)
    assert percentile(values, 10) == pytest.approx(0.01)
    assert percentile([0.2], 99) == 0.2


def test_a_result_gives_calls_rate_and_percentiles():
    figures = result([0.01, 0.02, 0.03, 0.04], seconds=2.0)

    assert (figures.calls, figures.rate, figures.p50, figures.p99) == (4, 2.0, 0.02, 0.04)


def test_the_goal_is_no_error_and_p99_under_250_ms_at_16_clients():
    assert verdict(result([0.1] * 98 + [0.249, 0.9])) == "ok"  # the slowest 1 % is beyond the p99
    assert verdict(result([0.1] * 98 + [0.25, 0.25])) == "MISSED"
    assert verdict(result([0.1] * 100, errors={"HTTP 500": 1})) == "MISSED"
    # at one client only errors count: the latency goal is set for 16
    assert verdict(result([0.3] * 10, clients=1)) == "ok"
    assert verdict(result([0.1] * 10, clients=1, errors={"HTTP 429 throttled": 2})) == "MISSED"
    assert verdict(result([], errors={"connect: ConnectError": 16})) == "MISSED"


class _AgentDoor(BaseHTTPRequestHandler):
    """Answers like the REST door: 200 with JSON, or every second call 429 when the server is set to throttle."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the benchmark's clients use it

    def do_GET(self):
        server = self.server
        with server.lock:
            server.seen.append((self.path, self.headers["Authorization"], self.client_address[1]))
            number = len(server.seen)
        if server.throttle and number % 2 == 0:
            status, body = 429, {"error": {"code": "throttled", "message": "Zu viele Aufrufe.", "details": {}}}
        else:
            status, body = 200, {"status": "draft", "quarter_hours": 2976}
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def rest_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AgentDoor)
    server.lock, server.seen, server.throttle = threading.Lock(), [], False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_rest_load_calls_with_the_bearer_token_over_one_kept_connection_per_client(rest_server):
    base_url = f"http://127.0.0.1:{rest_server.server_address[1]}"

    figures = rest_load(
        base_url, SUMMARY_PATH, TOKEN, {"community": 7, "month": "2026-10"}, clients=4, calls=5,
        tool="get_billing_summary",
    )

    assert (figures.door, figures.tool, figures.clients, figures.calls, figures.errors) == (
        "REST", "get_billing_summary", 4, 20, Counter()
    )
    assert {(path, auth) for path, auth, _port in rest_server.seen} == {
        (SUMMARY_PATH + "?community=7&month=2026-10", f"Bearer {TOKEN}")
    }
    assert len({port for _path, _auth, port in rest_server.seen}) == 4


def test_rest_load_counts_refusals_by_status_and_code(rest_server):
    rest_server.throttle = True
    base_url = f"http://127.0.0.1:{rest_server.server_address[1]}"

    figures = rest_load(base_url, SUMMARY_PATH, TOKEN, {}, clients=2, calls=10, tool="get_billing_summary")

    assert (figures.calls, figures.errors) == (20, Counter({"HTTP 429 throttled": 10}))
    assert figures.first_error == 'HTTP 429: {"error": {"code": "throttled", "message": "Zu viele Aufrufe.", ' \
        '"details": {}}}'


def test_rest_load_stops_after_its_time(rest_server):
    base_url = f"http://127.0.0.1:{rest_server.server_address[1]}"
    started = time.perf_counter()

    figures = rest_load(base_url, SUMMARY_PATH, TOKEN, {}, clients=2, seconds=0.3, tool="get_billing_summary")

    assert figures.calls > 0 and figures.errors == Counter()
    assert 0.3 <= figures.seconds < 1.5
    assert time.perf_counter() - started < 3


def test_an_html_error_page_is_shown_in_one_line():
    from benchmarks.agent_load import _one_line

    assert _one_line("<!doctype html>\n<html>\n  <title>Seite nicht gefunden</title>") == (
        "<!doctype html> <html> <title>Seite nicht gefunden</title>"
    )


def test_rest_load_counts_a_closed_port_as_errors_not_a_crash():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AgentDoor)
    port = server.server_address[1]
    server.server_close()

    figures = rest_load(f"http://127.0.0.1:{port}", SUMMARY_PATH, TOKEN, {}, clients=2, calls=3, tool="x")

    assert figures.errors == Counter({"ConnectionRefusedError": 6})


@pytest.fixture(scope="module")
def mcp_server():
    """An MCP SDK server with two tools behind a bearer check, served by uvicorn on loopback."""
    import uvicorn
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    server = MCPServer("bench-test")

    @server.tool()
    def get_billing_summary(community: int, month: str) -> dict:
        return {"community": community, "month": month, "status": "draft"}

    @server.tool()
    def broken() -> str:
        raise ToolError("kaputt")

    app = server.streamable_http_app()
    seen = []

    async def guarded(scope, receive, send):
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            seen.append((headers.get(b"authorization"), headers.get(b"mcp-session-id")))
            if headers.get(b"authorization") != f"Bearer {TOKEN}".encode():
                await send({"type": "http.response.start", "status": 401, "headers": []})
                await send({"type": "http.response.body", "body": b""})
                return
        await app(scope, receive, send)

    # port 0: the system picks a free one, so parallel test workers never collide
    config = uvicorn.Config(guarded, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if uvicorn_server.started:
            break
        time.sleep(0.05)
    port = uvicorn_server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/mcp", seen
    uvicorn_server.should_exit = True
    thread.join(timeout=10)


def test_mcp_load_calls_the_tool_from_one_session_per_client(mcp_server):
    url, seen = mcp_server
    seen.clear()

    figures = mcp_load(
        url, TOKEN, "get_billing_summary", {"community": 7, "month": "2026-10"}, clients=3, calls=4
    )

    assert (figures.door, figures.tool, figures.clients, figures.calls, figures.errors) == (
        "MCP", "get_billing_summary", 3, 12, Counter()
    )
    assert {auth for auth, _session in seen} == {f"Bearer {TOKEN}".encode()}
    assert len({session for _auth, session in seen if session}) == 3


def test_mcp_load_counts_tool_errors(mcp_server):
    url, _seen = mcp_server

    figures = mcp_load(url, TOKEN, "broken", {}, clients=2, calls=2)

    assert figures.calls == 4
    assert list(figures.errors.values()) == [4]
    assert "kaputt" in figures.first_error


def test_mcp_load_counts_a_refused_token_once_per_client(mcp_server):
    url, _seen = mcp_server

    figures = mcp_load(url, "olat_wrong", "get_billing_summary", {"community": 7, "month": "2026-10"}, clients=2,
                       calls=2)

    assert figures.calls == 0
    assert sum(figures.errors.values()) == 2
    assert all(key.startswith("connect: ") for key in figures.errors)
    assert figures.first_error == "connect: MCPError: Server returned an error response"  # the SDK hides the 401
