"""Agent API speed over real HTTP: three reads through the REST door and through MCP, at 1 and 16 clients.

Run: createdb -h 127.0.0.1 -U postgres openleg_bench_agent
     export DATABASE_URL=postgres://postgres@127.0.0.1:5432/openleg_bench_agent REDIS_URL=redis://127.0.0.1:6379/5
     .venv/bin/python benchmarks/bench_agent.py
     (BENCH_SECONDS per cell, default 5; BENCH_PORT, default 8140; BENCH_WORKERS uvicorn workers, default 2)
(defaults to a throw-away SQLite file and no Redis; the goal is for PostgreSQL and Redis). The first run on a
database migrates it and loads the demo (load_demo); later runs reuse it.

The server is started as deployed: ``uvicorn openleg.asgi:application`` with the production settings on loopback
(plain HTTP: in deployment the proxy terminates TLS, so only the HTTPS redirect is switched off, and the per-token
rate limit is lifted: the benchmark measures speed; any other setting, CONN_MAX_AGE for one, passes through from
the environment). A staff token with every scope and a budget it cannot spend
is created for the run and revoked at its end. Timed per door, tool and number of clients, for
BENCH_SECONDS after one warm-up call per client (clients connect first and start together): calls, errors,
requests per second, p50 and p99 latency, p99 against the 250 ms goal, MCP's rate against REST's, and how much CPU
the load generator itself took on the same two cores; the load average before the start tells whether other
work shared the machine. Goal (issue 14): no error, p99 under 250 ms at 16 clients.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.agent_load import GOAL_CLIENTS, GOAL_P99_SECONDS, LoadResult, mcp_load, rest_load, verdict  # noqa: E402
from benchmarks.stack import (  # noqa: E402
    BUILD,
    django_with_demo,
    production_environment,
    server_command,
    start_server,
    stop,
)

REST_PREFIX = "/api/agent/v1"
MCP_PATH = "/mcp"
TOOLS = ("get_billing_summary", "get_vnb_pipeline", "get_pipeline_dashboard")
CLIENTS = (1, GOAL_CLIENTS)
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
PORT = int(os.environ.get("BENCH_PORT", "8140"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


def server_environment(base: dict, *, secret_key: str) -> dict:
    """The production settings on loopback; DATABASE_URL and REDIS_URL come from ``base`` as the bench's own."""
    return production_environment(
        base,
        secret_key=secret_key,
        SECURE_SSL_REDIRECT="False",  # plain HTTP on loopback; deployed, the proxy terminates TLS
        # speed, not the limits: the per-token rate (120/min by default) would answer 429 within seconds
        AGENT_THROTTLE_RATE="100000/s",
    )


def tool_arguments(tool: str) -> dict:
    """The arguments each read is timed with: the demo's latest billing run for the summary, defaults otherwise."""
    if tool != "get_billing_summary":
        return {}
    from billing.models import BillingRun

    run = BillingRun.objects.order_by("-year", "-month", "-pk").first()
    if run is None:
        raise SystemExit("no billing run in the bench database: load_demo computes the demo's drafts")
    return {"community": run.community_id, "month": f"{run.year}-{run.month:02d}"}


HEADER = (
    f"{'door':<6}{'tool':<24}{'clients':>8}{'calls':>8}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
    f"{'p99/250':>9}{'vs REST':>9}{'client CPU':>12}  goal"
)


def row(result: LoadResult, rest: LoadResult | None = None) -> str:
    """One line of the table; ``rest`` is the REST result of the same tool and clients, for MCP's rate ratio."""
    p50 = f"{result.p50 * 1000:.1f}" if result.latencies else "-"
    p99 = f"{result.p99 * 1000:.1f}" if result.latencies else "-"
    against_goal = f"{result.p99 / GOAL_P99_SECONDS:.2f}x" if result.latencies else "-"
    against_rest = f"{result.rate / rest.rate:.2f}x" if rest is not None and rest.rate else "-"
    cpu = f"{result.client_cpu / result.seconds * 100:.0f} %" if result.seconds else "-"
    return (
        f"{result.door:<6}{result.tool:<24}{result.clients:>8}{result.calls:>8}{sum(result.errors.values()):>8}"
        f"{result.rate:>9.1f}{p50:>9}{p99:>9}{against_goal:>9}{against_rest:>9}{cpu:>12}  {verdict(result)}"
    )


def goal_line(results: list[LoadResult], *, skipped: int) -> str:
    goal = f"goal: no error, p99 < {GOAL_P99_SECONDS * 1000:.0f} ms at {GOAL_CLIENTS} clients: "
    missed = sum(1 for result in results if verdict(result) != "ok")
    if not missed and not skipped:
        return goal + f"met in all {len(results)} cells"
    reasons = [f"missed in {missed} of {len(results)} measured cells"] if missed else []
    reasons += [f"{skipped} cells not measured (door or tool missing)"] if skipped else []
    return goal + "NOT MET: " + ", ".join(reasons)


def _bench_token():
    from api.scopes import Scope
    from api.tokens import agent_token_create

    # a budget the run cannot spend: the benchmark measures speed, not the daily budget
    return agent_token_create(name="bench_agent", scopes=list(Scope.values), daily_budget=10**9)


def _start_server(log_path: Path) -> subprocess.Popen:
    environment = server_environment(dict(os.environ), secret_key=secrets.token_urlsafe(50))
    return start_server(environment, port=PORT, workers=WORKERS, log_path=log_path)


def _load(door: str, tool: str, token: str, arguments: dict, clients: int, **plan) -> LoadResult:
    base_url = f"http://127.0.0.1:{PORT}"
    if door == "REST":
        return rest_load(base_url, f"{REST_PREFIX}/{tool}/", token, arguments, clients=clients, tool=tool, **plan)
    return mcp_load(base_url + MCP_PATH, token, tool, arguments, clients=clients, **plan)


def main() -> None:
    django_with_demo()
    from django.conf import settings
    from django.db import connection

    from api.tokens import agent_token_revoke

    arguments = {tool: tool_arguments(tool) for tool in TOOLS}
    new = _bench_token()
    log_path = BUILD / "bench_agent_server.log"
    server = _start_server(log_path)
    try:
        print(
            f"load average before the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
            f"database: {connection.vendor}; Redis: {'yes' if settings.REDIS_URL else 'no (local memory)'}; server: "
            f"{' '.join(server_command(port=PORT, workers=WORKERS)[2:])} with openleg.settings.production; "
            f"summary of {arguments['get_billing_summary']}; {SECONDS:g} s per cell; server log {log_path}"
        )
        usable = {}
        for tool in TOOLS:
            for door in ("REST", "MCP"):
                probe = _load(door, tool, new.secret, arguments[tool], 1, calls=1)
                usable[door, tool] = not probe.errors
                if probe.errors:
                    print(f"{door} {tool}: not measured, the first call failed: {probe.first_error}")
        print(HEADER)
        results = []
        for clients in CLIENTS:
            for tool in TOOLS:
                rest = None
                for door in ("REST", "MCP"):
                    if not usable[door, tool]:
                        continue
                    _load(door, tool, new.secret, arguments[tool], clients, calls=1)  # warm-up
                    result = _load(door, tool, new.secret, arguments[tool], clients, seconds=SECONDS)
                    results.append(result)
                    print(row(result, rest if door == "MCP" else None), flush=True)
                    if door == "REST":
                        rest = result
                    if result.errors:
                        print(f"      errors: {dict(result.errors)}; first: {result.first_error}")
        print(goal_line(results, skipped=sum(1 for ok in usable.values() if not ok) * len(CLIENTS)))
    finally:
        stop(server)
        agent_token_revoke(prefix=new.token.prefix)


if __name__ == "__main__":
    main()
