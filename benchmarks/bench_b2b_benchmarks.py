"""B2B community-benchmarks speed: 1,000 communities with a year of approved billing runs, cold and from cache.

Run: createdb -h 127.0.0.1 -U postgres openleg_bench_b2b
     export DATABASE_URL=postgres://postgres@127.0.0.1:5432/openleg_bench_b2b REDIS_URL=redis://127.0.0.1:6379/5
     .venv/bin/python benchmarks/bench_b2b_benchmarks.py   (BENCH_RUNS=N timings per figure, default 10)
(defaults to a throw-away SQLite file and no Redis, which cannot run the figure's JSON SQL: the goal is for
PostgreSQL and Redis). The first run on a database builds the data; later runs reuse it.

The data: 1,000 communities spread over the 26 cantons (one municipality each, one utility per canton), each with
twelve issued billing runs for 2026 as billing stores them: energy totals in Wh, and a snapshot with the tariffs,
the method, the grid-usage tariff, the reduction rate and the membership it used (10 to 120 participants, one
metering point each), so the JSON the query reads is as large as a real run's.

Timed, best and median of BENCH_RUNS: ``api.b2b.cache.cached_figures`` for community-benchmarks cold (after
``bump_generation``: compute + store in Redis) and from cache, for the whole year of all of Switzerland, one month,
and a canton's year; with the number of queries of a cold call. Goals (issue 16): cold under 2 s, from cache under
20 ms over 1,000 communities.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openleg.settings.test")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

COMMUNITIES = 1000
YEAR = 2026
NAME_PREFIX = "Bench B2B LEG"
RUNS = int(os.environ.get("BENCH_RUNS", "10"))
COLD_GOAL_SECONDS = 2.0
CACHED_GOAL_SECONDS = 0.020
CASES = (
    ("year, Switzerland", {"year": YEAR}),
    ("June, Switzerland", {"year": YEAR, "month": 6}),
    ("year, canton ZH", {"year": YEAR, "canton": "ZH"}),
)


def _run(community, month: int, members: int, number: int):
    from billing.models import BillingRun
    from openleg.periods import local_month

    period = local_month(YEAR, month)
    consumption = members * 250_000 + number % 97 * 1_000  # Wh: about 250 kWh per member and month
    leg = consumption * (15 + number % 30) // 100
    production = leg * 100 // (50 + number % 50)
    return BillingRun(
        community=community,
        year=YEAR,
        month=month,
        period_start=period.start,
        period_end=period.end,
        quarter_hours=period.quarter_hours,
        status="issued",
        method="proportional",
        snapshot={
            "method": "proportional",
            "keys": [],
            "tariffs": [{"id": number, "version": 1, "consumer_price_rp_kwh": "18.5", "producer_price_rp_kwh": "11"}],
            "vat_rate": "0.081",
            "reduction_percent": 40 if number % 3 else 20,
            "grid_usage_rp_kwh": "9.5000",
            "membership": [
                {
                    "participant": number * 1000 + n,
                    "metering_point": f"CH100998{number:05d}{n:020d}",
                    "from": "2026-01-01",
                    "to": None,
                }
                for n in range(members)
            ],
            "provisional": False,
        },
        totals={
            "wh": {
                "consumption": consumption,
                "leg": leg,
                "grid": consumption - leg,
                "production": production,
                "delivered": leg,
                "surplus": production - leg,
            },
            "chf": {},
        },
        computed_at=datetime(YEAR, month, 1, tzinfo=UTC),
        approved_at=datetime(YEAR, month, 1, tzinfo=UTC),
    )


def build() -> None:
    """1,000 communities with twelve issued runs each; reused if the database has them already."""
    from billing.models import BillingRun
    from communities.models import Community
    from pipeline.cantons import Canton
    from tests.communities.factories import CommunityFactory
    from tests.pipeline.factories import MunicipalityFactory, UtilityFactory

    if Community.objects.filter(name__startswith=NAME_PREFIX).count() == COMMUNITIES:
        return
    started = time.perf_counter()
    cantons = list(Canton.values)
    utilities = {
        canton: UtilityFactory(name=f"Bench Werk {canton}", short_name=f"BW{canton}", vnb_number=f"{990000 + i:06d}")
        for i, canton in enumerate(cantons)
    }
    runs = []
    for number in range(COMMUNITIES):
        canton = cantons[number % len(cantons)]
        municipality = MunicipalityFactory(bfs_number=5000 + number, name=f"Bench Gemeinde {number}", canton=canton)
        community = CommunityFactory(
            name=f"{NAME_PREFIX} {number:04d}", utility=utilities[canton], municipality=municipality, status="active"
        )
        members = 10 + number * 37 % 111  # 10 to 120
        runs += [_run(community, month, members, number) for month in range(1, 13)]
    BillingRun.objects.bulk_create(runs, batch_size=500)
    print(f"built {COMMUNITIES} communities with {len(runs)} issued runs in {time.perf_counter() - started:.1f} s")


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def measure(label: str, params: dict) -> list[str]:
    from api.b2b import cache
    from api.b2b.figures import community_benchmarks
    from api.b2b.figures.community_benchmarks import CommunityBenchmarksQuery
    from api.b2b.scope import ClientScope

    scope = ClientScope()
    serializer = CommunityBenchmarksQuery(data=params)
    serializer.is_valid(raise_exception=True)
    query = serializer.validated_data

    def cold():
        cache.bump_generation()
        return cache.cached_figures(community_benchmarks, scope, query)

    with CaptureQueriesContext(connection) as queries:
        data, freshness = cold()
    assert not freshness["cached"]
    cold_times = [timed(cold) for _ in range(RUNS)]
    data, freshness = cache.cached_figures(community_benchmarks, scope, query)
    assert freshness["cached"]
    warm_times = [timed(lambda: cache.cached_figures(community_benchmarks, scope, query)) for _ in range(RUNS * 10)]
    median = data["figures"]["leg_share_percent"]["median"] if data["figures"] else "-"
    rows = []
    for kind, times, goal in (("cold", cold_times, COLD_GOAL_SECONDS), ("cached", warm_times, CACHED_GOAL_SECONDS)):
        best, middle = min(times), statistics.median(times)
        rows.append(
            f"{label:<20}{kind:<8}{data['communities']:>12}{len(queries) if kind == 'cold' else 0:>9}"
            f"{best * 1000:>10.2f}{middle * 1000:>11.2f}{goal * 1000:>9.0f}{middle / goal:>12.3f}x"
            f"  {'ok' if middle < goal else 'MISSED'}  (median LEG share {median} %)"
        )
    return rows


def main() -> None:
    from django.conf import settings

    call_command("migrate", verbosity=0)
    build()
    print(
        f"database: {connection.vendor}; cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; "
        f"{RUNS} cold and {RUNS * 10} cached calls per figure; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'figure':<20}{'call':<8}{'communities':>12}{'queries':>9}{'best ms':>10}{'median ms':>11}"
        f"{'goal ms':>9}{'median/goal':>13}"
    )
    for label, params in CASES:
        for line in measure(label, params):
            print(line)


if __name__ == "__main__":
    main()
