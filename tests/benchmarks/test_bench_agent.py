"""bench_agent's own parts: how it starts the server, what it asks for, how a line of its table reads."""

import sys
from collections import Counter
from datetime import UTC, datetime

import pytest

from benchmarks.agent_load import LoadResult
from benchmarks.bench_agent import HEADER, goal_line, row, server_command, server_environment, tool_arguments


def test_the_server_is_uvicorn_serving_the_asgi_application_on_loopback():
    assert server_command(port=8140, workers=2) == [
        sys.executable, "-m", "uvicorn", "openleg.asgi:application", "--host", "127.0.0.1", "--port", "8140",
        "--workers", "2", "--no-access-log", "--log-level", "warning",
    ]


def test_the_server_runs_the_production_settings_with_the_bench_database():
    base = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/bench", "REDIS_URL": "redis://127.0.0.1:6379/5",
            "DJANGO_SETTINGS_MODULE": "openleg.settings.test", "PATH": "/usr/bin"}

    assert server_environment(base, secret_key="k" * 50) == {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/bench",
        "REDIS_URL": "redis://127.0.0.1:6379/5",
        "DJANGO_SETTINGS_MODULE": "openleg.settings.production",
        "PATH": "/usr/bin",
        "SECRET_KEY": "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",
        "AGENT_THROTTLE_RATE": "100000/s",
    }


@pytest.mark.django_db
def test_the_summary_is_asked_for_the_latest_billing_run_and_the_other_reads_take_their_defaults():
    from billing.models import BillingRun
    from tests.communities.factories import CommunityFactory

    older, newer = CommunityFactory(), CommunityFactory()
    moment = datetime(2026, 9, 30, 22, tzinfo=UTC)
    for community, month in [(older, 9), (newer, 10)]:
        BillingRun.objects.create(
            community=community, year=2026, month=month, period_start=moment, period_end=moment, quarter_hours=2980,
            method="proportional",
        )

    assert tool_arguments("get_billing_summary") == {"community": newer.pk, "month": "2026-10"}
    assert tool_arguments("get_vnb_pipeline") == {}
    assert tool_arguments("get_pipeline_dashboard") == {}


@pytest.mark.django_db
def test_without_a_billing_run_the_bench_stops_and_says_why():
    with pytest.raises(SystemExit, match="no billing run in the bench database"):
        tool_arguments("get_billing_summary")


def test_a_line_gives_the_figures_the_ratios_and_the_verdict():
    rest = LoadResult("REST", "get_billing_summary", 16, 5.0, [0.020] * 400 + [0.180] * 100, Counter(), 2.5)
    mcp = LoadResult("MCP", "get_billing_summary", 16, 5.0, [0.040] * 245 + [0.300] * 5, Counter(), 4.0)

    assert HEADER.split() == [
        "door", "tool", "clients", "calls", "errors", "req/s", "p50", "ms", "p99", "ms", "p99/250", "vs", "REST",
        "client", "CPU", "goal",
    ]
    assert row(rest).split() == [
        "REST", "get_billing_summary", "16", "500", "0", "100.0", "20.0", "180.0", "0.72x", "-", "50", "%", "ok"
    ]
    assert row(mcp, rest).split() == [
        "MCP", "get_billing_summary", "16", "250", "0", "50.0", "40.0", "300.0", "1.20x", "0.50x", "80", "%",
        "MISSED",
    ]


def test_the_last_line_says_whether_the_goal_was_met_and_why_not():
    fast = LoadResult("REST", "get_vnb_pipeline", 16, 5.0, [0.02] * 100, Counter(), 2.0)
    refused = LoadResult("MCP", "get_vnb_pipeline", 16, 5.0, [0.02] * 100, Counter({"HTTP 429 throttled": 3}), 2.0)

    assert goal_line([fast, fast], skipped=0) == "goal: no error, p99 < 250 ms at 16 clients: met in all 2 cells"
    assert goal_line([fast, refused], skipped=0) == (
        "goal: no error, p99 < 250 ms at 16 clients: NOT MET: missed in 1 of 2 measured cells"
    )
    assert goal_line([], skipped=12) == (
        "goal: no error, p99 < 250 ms at 16 clients: NOT MET: 12 cells not measured (door or tool missing)"
    )
