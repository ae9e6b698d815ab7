"""Portal page speed for a community of 500 participants: the dashboard, a run's page and the coverage calendar.

Run: createdb -h 127.0.0.1 -U postgres openleg_bench_portal
     export DATABASE_URL=postgres://postgres@127.0.0.1:5432/openleg_bench_portal
     .venv/bin/python benchmarks/bench_portal.py   (BENCH_RUNS=N requests per page, default 30)
(defaults to a throw-away SQLite file; the target is for PostgreSQL). The first run on a database builds the
community (benchmarks/bench_community.py: 500 participants, March 2026 through the importer with the VNB's LEG
channel) and computes its draft run; later runs reuse them.

Each page is requested through Django's test client as a logged-in approver of the community's utility (the
whole stack below the socket: middleware, session, view, selectors, template), after one warm-up request.
Printed per page: median and p95 over the runs, the ratio of both to the 300 ms target, the queries one request
makes, the size of the answer.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openleg.settings.test")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks.bench_community import BenchShape, bench_community  # noqa: E402

SHAPE = BenchShape(name="Bench LEG 500", vnb_number="100997", consumers=350, prosumers=100, producers=50)
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
TARGET_SECONDS = 0.3


def setting_up():
    """The community, its draft run for the month and a logged-in client of its utility."""
    from accounts.models import User
    from billing.models import BillingRun
    from billing.services import billing_run_start

    community = bench_community(SHAPE)
    run = BillingRun.objects.filter(community=community, year=SHAPE.year, month=SHAPE.month).first()
    if run is None:
        run = billing_run_start(community=community, year=SHAPE.year, month=SHAPE.month)
    user, _ = User.objects.get_or_create(
        username="bench-portal", defaults={"utility_id": community.utility_id, "portal_role": "approver"}
    )
    client = Client()
    client.force_login(user)
    return community, run, client


def pages(community, run) -> list[tuple[str, str]]:
    month = {"pk": community.pk, "year": str(SHAPE.year), "month": f"{SHAPE.month:02d}"}
    return [
        ("dashboard", reverse("portal:home")),
        ("run page", reverse("portal:run", args=[community.pk, run.pk])),
        ("coverage calendar", reverse("portal:community-coverage", kwargs=month)),
        ("community overview", reverse("portal:community", args=[community.pk])),
        ("participants", reverse("portal:participants", args=[community.pk])),
        ("formation", reverse("portal:formation", args=[community.pk])),
        ("billing runs", reverse("portal:billing", args=[community.pk])),
    ]


def timed(client: Client, url: str) -> tuple[list[float], int, int]:
    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        client.get(url)
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return seconds, len(queries), len(response.content)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    # the test client's host; not setup_test_environment(): its template instrumentation copies every context
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    community, run, client = setting_up()
    print(
        f"database: {connection.vendor}; {community.participants.count()} participants, "
        f"{SHAPE.month:02d}/{SHAPE.year}, run {run.pk} ({run.get_status_display()}); {RUNS} requests per page"
    )
    print(f"{'page':<20}{'median ms':>10}{'p95 ms':>9}{'median/300':>12}{'p95/300':>9}{'queries':>9}{'kB':>8}")
    for label, url in pages(community, run):
        seconds, queries, size = timed(client, url)
        median, high = statistics.median(seconds), p95(seconds)
        print(
            f"{label:<20}{median * 1000:>10.1f}{high * 1000:>9.1f}{median / TARGET_SECONDS:>11.2f}x"
            f"{high / TARGET_SECONDS:>8.2f}x{queries:>9}{size / 1000:>8.0f}"
        )


if __name__ == "__main__":
    main()
