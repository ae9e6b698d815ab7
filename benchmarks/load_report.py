"""bench_load's tables: per scenario and per page or endpoint, the requests, throughput, percentiles, errors,
throttled calls and the goal (no error; p99 under 500 ms for page views and API reads)."""

from collections import defaultdict
from dataclasses import dataclass

from benchmarks.agent_load import LoadResult, percentile
from benchmarks.load_client import Sample
from benchmarks.load_scenarios import LOGIN_LABELS

GOAL_P99_SECONDS = 0.5
GOAL_SCENARIOS = ("portal", "staff", "b2b", "agent", "mcp")
MCP_LABEL = "mcp"
ERRORS = ("server", "unexpected", "connection")


@dataclass
class Figures:
    latencies: list[float]
    errors: int  # 5xx, an unexpected status, no answer
    throttled: int  # 429

    @property
    def requests(self) -> int:
        return len(self.latencies)


def figures_of(samples: list[Sample]) -> Figures:
    return Figures(
        [sample.seconds for sample in samples],
        sum(1 for sample in samples if sample.outcome in ERRORS),
        sum(1 for sample in samples if sample.outcome == "throttled"),
    )


def mcp_figures(results: list[LoadResult]) -> Figures:
    """MCP sessions count a refusal (the tool's 429 error) as throttled, any other failure as an error."""
    latencies, errors, throttled = [], 0, 0
    for result in results:
        latencies += result.latencies
        for kind, count in result.errors.items():
            if "429" in kind or "throttled" in kind.lower() or "limit" in kind.lower():
                throttled += count
            else:
                errors += count
    return Figures(latencies, errors, throttled)


def verdict(scenario: str, figures: Figures) -> str:
    if figures.errors or not figures.requests:
        return "MISSED"
    if scenario in GOAL_SCENARIOS and percentile(figures.latencies, 99) >= GOAL_P99_SECONDS:
        return "MISSED"
    return "ok" if scenario in GOAL_SCENARIOS else "ok (no latency goal)"


def _ms(values: list[float], q: float) -> str:
    return f"{percentile(values, q) * 1000:.0f}" if values else "-"


def line(name: str, figures: Figures, wall: float, goal: str = "") -> str:
    rate = figures.requests / wall if wall else 0.0
    share = f"{figures.errors / figures.requests * 100:.2f} %" if figures.requests else "-"
    slowest = f"{max(figures.latencies) * 1000:.0f}" if figures.latencies else "-"
    return (
        f"{name:<24}{figures.requests:>8}{rate:>8.1f}{_ms(figures.latencies, 50):>8}{_ms(figures.latencies, 95):>8}"
        f"{_ms(figures.latencies, 99):>8}{slowest:>8}{figures.errors:>7}{share:>9}{figures.throttled:>6}  {goal}"
    )


HEADER = (
    f"{'':<24}{'requests':>8}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}{'errors':>7}"
    f"{'error %':>9}{'429':>6}  goal (no error, p99 < 500 ms)"
)


def phase_report(
    name: str, *, samples: list[Sample], mcp: list[LoadResult], wall: float, client_cpu: float,
    load: tuple[tuple, tuple], uploads: tuple[int, list], failures: list[str], server_cpu: dict[str, float],
) -> str:
    by_scenario, by_label, logins = defaultdict(list), defaultdict(list), []
    for sample in samples:
        if sample.label in LOGIN_LABELS:  # before the start line: the phase's figures begin after the logins
            logins.append(sample)
            continue
        by_scenario[sample.scenario].append(sample)
        by_label[(sample.scenario, sample.label)].append(sample)
    scenarios = {scenario: figures_of(found) for scenario, found in by_scenario.items()}
    if mcp:
        scenarios[MCP_LABEL] = mcp_figures(mcp)
    goal_figures = [figures for scenario, figures in scenarios.items() if scenario in GOAL_SCENARIOS]
    together = Figures(
        [value for figures in goal_figures for value in figures.latencies],
        sum(figures.errors for figures in goal_figures), sum(figures.throttled for figures in goal_figures),
    )
    lines = [
        f"\n== phase: {name}; {wall:.1f} s; load average {load[0][0]:.2f} before, {load[1][0]:.2f} after "
        f"(2 cores); load generator CPU {client_cpu / wall * 100:.0f} % of one core "
        f"({client_cpu / wall / 2 * 100:.0f} % of the machine)",
        "stack CPU during the phase: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in server_cpu.items())
        + f" = {sum(server_cpu.values()) / wall * 100:.0f} % of one core; "
        + (f"per HTTP request: uvicorn {server_cpu.get('uvicorn', 0) / len(samples) * 1000:.0f} ms CPU, "
           f"PostgreSQL {server_cpu.get('PostgreSQL', 0) / len(samples) * 1000:.0f} ms CPU" if samples else ""),
        "per scenario:",
        HEADER,
    ]
    for scenario in (*GOAL_SCENARIOS, "upload"):
        if scenario in scenarios:
            lines.append(line(scenario, scenarios[scenario], wall, verdict(scenario, scenarios[scenario])))
    lines.append(line("pages + API reads", together, wall, "MISSED" if any(
        verdict(s, f) == "MISSED" for s, f in scenarios.items() if s in GOAL_SCENARIOS) else "met"))
    if logins:
        lines.append(line("logins (before start)", figures_of(logins), 0.0, "all at once, before the phase"))
    lines += ["per page or endpoint:", HEADER.rsplit("  goal", 1)[0]]
    for (scenario, label), found in sorted(by_label.items()):
        lines.append(line(f"{scenario}: {label}"[:23], figures_of(found), wall))
    for result in mcp:
        lines.append(line(f"mcp: {result.tool}"[:23], mcp_figures([result]), wall))
    sent, finished = uploads
    if sent:
        times = [seconds for seconds, _status in finished]
        states = defaultdict(int)
        for _seconds, status in finished:
            states[status] += 1
        lines.append(
            f"uploads: {sent} files uploaded and applied through the worker; finished {len(finished)} "
            f"({dict(states)}); from upload to finished p50 {_ms(times, 50)} ms, max "
            f"{max(times) * 1000 if times else 0:.0f} ms"
        )
    for failure in failures[:10]:
        lines.append(f"first failure of a user: {failure}")
    return "\n".join(lines)
