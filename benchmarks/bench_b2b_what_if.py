"""B2B grid-optimization what-if speed: a stored 50-participant year rerun with more PV and a community battery.

Run: createdb -h 127.0.0.1 -U postgres openleg_bench_b2b_grid
     export DATABASE_URL=postgres://postgres@127.0.0.1:5432/openleg_bench_b2b_grid
     .venv/bin/python benchmarks/bench_b2b_what_if.py   (BENCH_RUNS=N runs, default 20; BENCH_PROFILE=N prints a
     cProfile of one run)
(defaults to a throw-away SQLite file; the target is for PostgreSQL). The first run on a database builds the
community (benchmarks/bench_community.py: 35 consumers, 10 prosumers, 5 producers, March 2026 through the importer)
and imports the other eleven months of 2026 through the importer as well (SDAT E66, one file a month), then gives
the producing points 15 kWp; later runs reuse them.

Timed, best of N after a warm-up: ``grid_optimization.compute`` end to end with +20 kWp on the largest producer and
a 100 kWh / 50 kW battery (η 0.9) — that is: load the year (memberships, allocation settings, 35,040 quarter-hours
of every series), today's allocation of twelve months, the rerun with PV and battery — and each step alone for the
breakdown. Target (issue 16): under 200 ms.
"""

import cProfile
import os
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
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

from benchmarks.bench_community import BenchShape, bench_community, profiles  # noqa: E402

SHAPE = BenchShape(name="Bench LEG 50 year", vnb_number="100996", consumers=35, prosumers=10, producers=5)
YEAR = SHAPE.year
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
TARGET_SECONDS = 0.2
PARAMS = {"year": YEAR, "add_pv_kwp": "20", "battery_kwh": "100", "battery_kw": "50", "battery_efficiency": "0.9"}


def build():
    """The bench community with all of 2026 stored; reused if the database has it already."""
    from communities.models import MeteringPoint
    from metering.models import DaySeries

    community = bench_community(SHAPE)
    points = MeteringPoint.objects.filter(memberships__participant__community=community)
    if DaySeries.objects.filter(metering_point__in=points, day__month=12).exists():
        return community
    started = time.perf_counter()
    for month in range(1, 13):
        if month != SHAPE.month:
            _import_month(month)
    points.filter(memberships__participant__role__in=["producer", "prosumer"]).update(installed_capacity_kwp=15)
    print(f"imported the other eleven months of {YEAR} in {time.perf_counter() - started:.1f} s")
    return community


def _import_month(month: int) -> None:
    from metering.sdat_writer import SdatSeries, write_e66
    from metering.services import meter_file_import
    from openleg.periods import local_month

    period = local_month(YEAR, month)
    consumption, production = profiles(SHAPE, period, seed=YEAR * 100 + month)
    ids = [f"CH{SHAPE.vnb_number}12345{n:020d}" for n in range(SHAPE.participants)]
    series = []
    for row, mp_id in enumerate(ids):
        if consumption[row].any():
            series.append(SdatSeries(mp_id, "consumption", "total", period.start, consumption[row].tolist()))
        if production[row].any():
            series.append(SdatSeries(mp_id, "production", "total", period.start, production[row].tolist()))
    document = f"BENCH-{SHAPE.vnb_number}-{YEAR}{month:02d}"
    data = write_e66(series, document_id=document, created=datetime(YEAR + 1, 1, 5, tzinfo=UTC))
    outcome = meter_file_import(data=data, filename=f"{document.lower()}.xml", actor=None, door="command")
    assert outcome.ok, [f.message for f in outcome.errors]


MEDIANS: dict[str, float] = {}


def best(function, runs: int = RUNS, name: str = "") -> tuple[float, object]:
    """The fastest of ``runs`` calls after a warm-up (the median is kept in MEDIANS under ``name``)."""
    function()
    seconds, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - started)
    MEDIANS[name] = sorted(seconds)[runs // 2]
    return min(seconds), result


def main() -> None:
    from api.b2b.figures.battery import Battery, run_battery
    from api.b2b.figures.grid_optimization import GridOptimizationQuery, compute, extra_pv_for
    from api.b2b.figures.stored_year import load_year
    from api.b2b.figures.what_if import flows
    from api.b2b.scope import ClientScope

    call_command("migrate", verbosity=0)
    community = build()
    scope = ClientScope(utility_id=community.utility_id)
    serializer = GridOptimizationQuery(data={"community": community.pk, **PARAMS}, context={"scope": scope})
    assert serializer.is_valid(), serializer.errors
    query = serializer.validated_data

    with CaptureQueriesContext(connection) as queries:
        answer = compute(scope, query)
    total, _ = best(lambda: compute(scope, query), name="compute")
    load, stored = best(lambda: load_year(community, YEAR))
    today_s, _ = best(lambda: flows(stored))
    battery = Battery.from_figures(capacity_kwh=Decimal(100), power_kw=Decimal(50), efficiency=Decimal("0.9"))
    extra_pv = extra_pv_for(stored, query)
    what_if_s, _ = best(lambda: flows(stored, extra_pv=extra_pv, battery=battery))
    net = flows(stored).production - flows(stored).consumption
    battery_s, _ = best(lambda: run_battery(battery, net))

    totals, what_if = answer["totals"], answer["what_if"]
    print(
        f"database: {connection.vendor}; {SHAPE.participants} participants ({SHAPE.consumers} consumers, "
        f"{SHAPE.prosumers} prosumers, {SHAPE.producers} producers), {YEAR}, {stored.slots:,} quarter-hours; "
        f"what-if: +{PARAMS['add_pv_kwp']} kWp on participant {what_if['parameters']['pv_producer']} "
        f"({what_if['parameters']['pv_producer_installed_kwp']} kWp), battery {PARAMS['battery_kwh']} kWh / "
        f"{PARAMS['battery_kw']} kW, η {PARAMS['battery_efficiency']}"
    )
    print(
        f"year: consumption {totals['consumption_kwh']} kWh, production {totals['production_kwh']} kWh, shared "
        f"{totals['shared_kwh']} kWh, LEG share {totals['leg_share_percent']} %, self-supply "
        f"{totals['self_supply_percent']} %, surplus hours {totals['surplus_hours']}, feed-in peak "
        f"{totals['feed_in_peak_kw']} kW, saving CHF {totals['grid_saving_chf']}"
    )
    for name in ("leg_share_percent", "self_supply_percent", "surplus_kwh", "grid_saving_chf"):
        print(
            f"  {name:<22} today {what_if['today'][name]:>12}  what-if {what_if['scenario'][name]:>12}  "
            f"difference {what_if['difference'][name]:>10}"
        )
    print(f"  battery {what_if['battery']}")
    print(f"queries for one compute (end to end): {len(queries)}")
    print(
        f"best of {RUNS} runs (median of compute end to end {MEDIANS['compute']:.3f} s, "
        f"{MEDIANS['compute'] / TARGET_SECONDS:.2f}x; load on this machine {os.getloadavg()[0]:.1f})"
    )
    print(f"{'step':<52}{'seconds':>9}{'vs 0.2 s':>10}")
    for label, seconds in (
        ("compute, end to end (load + today + what-if)", total),
        ("  load_year (the stored year, few queries)", load),
        ("  flows today (12 monthly allocations)", today_s),
        ("  flows what-if (PV + battery + 12 allocations)", what_if_s),
        ("    of which the battery loop (35,040 quarter-hours)", battery_s),
    ):
        print(f"{label:<52}{seconds:>9.3f}{seconds / TARGET_SECONDS:>9.2f}x")

    if os.environ.get("BENCH_PROFILE"):
        profiler = cProfile.Profile()
        profiler.runcall(compute, scope, query)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(int(os.environ["BENCH_PROFILE"]))


if __name__ == "__main__":
    main()
