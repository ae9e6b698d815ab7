"""Load over real HTTP for bench_agent: REST calls from threads, each with its own kept-alive connection, and MCP
calls from asyncio tasks, each with its own session (the SDK's streamable-HTTP client), as OpenClaw opens one.

No Django here: the benchmark starts the server; this module only knocks on its doors and counts. A run is either
a number of calls per client (``calls``) or a time (``seconds``); clients connect first and start together, so
connecting is not measured.
"""

import asyncio
import http.client
import json
import math
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

GOAL_CLIENTS = 16
GOAL_P99_SECONDS = 0.25
CALL_TIMEOUT_SECONDS = 10


@dataclass
class LoadResult:
    door: str  # "REST" or "MCP"
    tool: str
    clients: int
    seconds: float  # wall time from the common start to the last client's end
    latencies: list[float]  # one per attempted call, refused or failed ones included
    errors: Counter = field(default_factory=Counter)  # kind of failure -> how many
    client_cpu: float = 0.0  # CPU seconds this process (the load generator) used meanwhile, on the same cores
    first_error: str = ""  # the first failure's answer, to show what went wrong

    @property
    def calls(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0

    @property
    def p50(self) -> float | None:
        return percentile(self.latencies, 50) if self.latencies else None

    @property
    def p99(self) -> float | None:
        return percentile(self.latencies, 99) if self.latencies else None


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value that at least q % of the values do not exceed."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def verdict(result: LoadResult) -> str:
    """The issue's goal: no error in any cell, and at 16 clients a p99 under 250 ms."""
    if result.errors or not result.latencies:
        return "MISSED"
    if result.clients >= GOAL_CLIENTS and result.p99 >= GOAL_P99_SECONDS:
        return "MISSED"
    return "ok"


class _Plan:
    """When a client stops: after ``calls`` calls, or ``seconds`` after the common start; ``think`` is the mean
    pause after each call (drawn uniformly from half to one and a half times it; 0: no pause)."""

    def __init__(self, calls: int | None, seconds: float | None, think: float = 0.0) -> None:
        if (calls is None) == (seconds is None):
            raise ValueError("give either calls or seconds")
        self.calls, self.seconds, self.think = calls, seconds, think

    def pause(self) -> float:
        return random.uniform(0.5 * self.think, 1.5 * self.think) if self.think else 0.0

    def deadline(self, started: float) -> float:
        return math.inf if self.seconds is None else started + self.seconds

    def more(self, done: int, deadline: float) -> bool:
        return done < self.calls if self.calls is not None else time.perf_counter() < deadline


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    first_error: str = ""

    def failed(self, kind: str, answer: str) -> None:
        self.errors[kind] += 1
        self.first_error = self.first_error or answer


def _result(door, tool, clients, tallies, seconds, cpu) -> LoadResult:
    latencies, errors, first = [], Counter(), ""
    for tally in tallies:
        latencies += tally.latencies
        errors += tally.errors
        first = first or tally.first_error
    return LoadResult(door, tool, clients, seconds, latencies, errors, cpu, first)


def rest_load(
    base_url: str, path: str, token: str, query: dict, *, clients: int, tool: str, calls: int | None = None,
    seconds: float | None = None,
) -> LoadResult:
    """GET ``path`` with ``query`` from ``clients`` threads, each over its own kept-alive connection."""
    plan = _Plan(calls, seconds)
    address = urlsplit(base_url)
    target = path + (f"?{urlencode(query)}" if query else "")
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    start = threading.Barrier(clients + 1)
    tallies = [_Tally() for _ in range(clients)]

    def client(tally: _Tally) -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=CALL_TIMEOUT_SECONDS)
        start.wait()
        deadline, done = plan.deadline(time.perf_counter()), 0
        while plan.more(done, deadline):
            done += 1
            began = time.perf_counter()
            try:
                connection.request("GET", target, headers=headers)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                tally.latencies.append(time.perf_counter() - began)
                tally.failed(type(error).__name__, repr(error))
                connection.close()  # the next call connects again
                continue
            tally.latencies.append(time.perf_counter() - began)
            if response.status != 200:
                tally.failed(f"HTTP {response.status} {_error_code(body)}".strip(), f"HTTP {response.status}: "
                             f"{_one_line(body.decode(errors='replace'))}")
        connection.close()

    threads = [threading.Thread(target=client, args=(tally,), daemon=True) for tally in tallies]
    for thread in threads:
        thread.start()
    start.wait()
    began, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    return _result("REST", tool, clients, tallies, time.perf_counter() - began, time.process_time() - cpu)


def _one_line(text: str, length: int = 300) -> str:
    """An answer shown in one line: JSON stays as it came, an HTML error page becomes its start without breaks."""
    return " ".join(text.split())[:length]


def _error_code(body: bytes) -> str:
    try:
        return str(json.loads(body)["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return ""


def mcp_load(
    url: str, token: str, tool: str, arguments: dict, *, clients: int, calls: int | None = None,
    seconds: float | None = None, think: float = 0.0, headers: dict | None = None,
) -> LoadResult:
    """Call ``tool`` from ``clients`` asyncio tasks, each with its own streamable-HTTP session; ``think`` is the
    mean pause after a call (bench_load's users), ``headers`` are sent besides the bearer (a proxy's)."""
    headers = {"Authorization": f"Bearer {token}", **(headers or {})}
    return asyncio.run(_mcp_load(url, headers, tool, arguments, clients, _Plan(calls, seconds, think)))


class _Gate:
    """Clients arrive when connected (or failed to); all start together once every one has arrived."""

    def __init__(self, clients: int) -> None:
        self.waiting, self.all_arrived, self.go = clients, asyncio.Event(), asyncio.Event()

    def arrive(self) -> None:
        self.waiting -= 1
        if self.waiting == 0:
            self.all_arrived.set()


async def _mcp_load(url, headers, tool, arguments, clients, plan) -> LoadResult:
    gate = _Gate(clients)
    tallies = [_Tally() for _ in range(clients)]
    tasks = [asyncio.create_task(_mcp_client(url, headers, tool, arguments, plan, gate, tally)) for tally in tallies]
    await gate.all_arrived.wait()
    began, cpu = time.perf_counter(), time.process_time()
    gate.go.set()
    await asyncio.gather(*tasks)
    return _result("MCP", tool, clients, tallies, time.perf_counter() - began, time.process_time() - cpu)


async def _mcp_client(url, headers, tool, arguments, plan, gate, tally) -> None:
    from mcp.client.session import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    arrived = False
    try:
        async with (
            create_mcp_http_client(headers=headers) as http_client,
            streamable_http_client(url, http_client=http_client) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            gate.arrive()
            arrived = True
            await gate.go.wait()
            deadline, done = plan.deadline(time.perf_counter()), 0
            while plan.more(done, deadline):
                done += 1
                began = time.perf_counter()
                try:
                    answer = await session.call_tool(tool, arguments, read_timeout_seconds=CALL_TIMEOUT_SECONDS)
                except Exception as error:
                    tally.latencies.append(time.perf_counter() - began)
                    tally.failed(type(error).__name__, repr(error))
                    continue
                tally.latencies.append(time.perf_counter() - began)
                if answer.is_error:
                    text = " ".join(getattr(block, "text", "") for block in answer.content)
                    tally.failed(f"tool error {text[:60]}", text[:300])
                await asyncio.sleep(plan.pause())
    except Exception as error:  # connecting or initialising failed: one error for the client, no calls
        cause = _innermost(error)
        kind = f"{'session' if arrived else 'connect'}: {type(cause).__name__}"
        tally.failed(kind, _one_line(f"{kind}: {cause}"))
        if not arrived:
            gate.arrive()


def _innermost(error: BaseException) -> BaseException:
    """The first leaf of an exception group (anyio wraps what the transport raised), else the error itself."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error
