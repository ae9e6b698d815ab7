"""Billing run speed, end to end: from stored quarter-hour series to persisted draft lines, for one month.

Run: createdb -h 127.0.0.1 -U postgres openleg_bench_billing
     export DATABASE_URL=postgres://postgres@127.0.0.1:5432/openleg_bench_billing
     .venv/bin/python benchmarks/bench_billing_run.py   (BENCH_RUNS=N runs; BENCH_PROFILE=N prints a cProfile)
(defaults to a throw-away SQLite file; the target is for PostgreSQL). The first run on a database builds the
community and imports its data; later runs on the same database reuse them.

The community: 50 participants (35 consumers, 10 prosumers, 5 producers), one metering point each, members
from 2026-01-01; a tariff with a high-tariff window (Mon–Fri 07:00–20:00) and a monthly fee; VAT registered;
a grid-usage tariff at the utility. March 2026 (with the switch to summer time: 2,972 quarter-hours) is stored
through the real importer (SDAT E66 files, metering.services.meter_file_import), with the VNB's "leg" channel
(its own proportional split) for every series, so the run also reconciles day by day.

Timed: billing.services.billing_run_start(community, 2026, 3), best of N (a draft re-run replaces the draft),
with billing.gathering.gather and billing.calculation.calculate timed inside the same runs for the breakdown of
the best one (write = the rest: reconciliation, deleting the previous draft, RunDay and StatementLine inserts,
saving the run). The fingerprint hashes what the run persisted, to check that a speed-up changes nothing
(compare it on the same database backend: PostgreSQL and SQLite store the JSON fields differently).
Target (issue): a 50-participant month in under 0.5 s on PostgreSQL.
"""

import cProfile
import hashlib
import os
import pstats
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

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

import billing.services  # noqa: E402
from benchmarks.bench_community import BenchShape, bench_community  # noqa: E402

SHAPE = BenchShape(name="Bench LEG 50", vnb_number="100998", consumers=35, prosumers=10, producers=5)
YEAR, MONTH = SHAPE.year, SHAPE.month
CONSUMERS, PROSUMERS, PRODUCERS = SHAPE.consumers, SHAPE.prosumers, SHAPE.producers
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
TARGET_SECONDS = 0.5


def build():
    """The bench community with its tariff and its month of data; reused if the database has it already."""
    return bench_community(SHAPE)


def fingerprint(run) -> str:
    """A hash of everything the run persisted, to check that a speed-up changes nothing."""
    from billing.models import RunDay, StatementLine

    digest = hashlib.sha256()
    fields = [f.name for f in RunDay._meta.fields if f.name not in ("id", "run")]
    for row in RunDay.objects.filter(run=run).order_by("participant_id", "day").values_list(*fields):
        digest.update(repr(row).encode())
    fields = [f.name for f in StatementLine._meta.fields if f.name not in ("id", "run")]
    for row in StatementLine.objects.filter(run=run).order_by("participant_id", "position").values_list(*fields):
        digest.update(repr(row).encode())
    run.refresh_from_db()
    for value in (run.method, run.snapshot, run.issues, run.blocking_issues, run.deviations, run.totals):
        digest.update(repr(value).encode())
    return digest.hexdigest()[:16]


class Timed:
    """Wraps a function billing.services calls, recording how long each call took."""

    def __init__(self, name: str):
        self.name, self.original, self.seconds = name, getattr(billing.services, name), []

    def __enter__(self):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.seconds.append(time.perf_counter() - started)

        setattr(billing.services, self.name, timed)
        return self

    def __exit__(self, *exc):
        setattr(billing.services, self.name, self.original)


def main() -> None:
    from billing.models import RunDay, StatementLine
    from billing.services import billing_run_start

    call_command("migrate", verbosity=0)
    community = build()

    def run_once():
        return billing_run_start(community=community, year=YEAR, month=MONTH)

    run = run_once()  # warm-up: caches, connection, first draft
    totals = []  # end to end per run; gather and calculate are timed inside the same runs (costs microseconds)
    with Timed("gather") as gathered, Timed("calculate") as calculated:
        for _ in range(RUNS):
            started = time.perf_counter()
            run = run_once()
            totals.append(time.perf_counter() - started)
    best = min(range(RUNS), key=totals.__getitem__)
    total, gather_s, calculate_s = totals[best], gathered.seconds[best], calculated.seconds[best]

    days = RunDay.objects.filter(run=run).count()
    lines = StatementLine.objects.filter(run=run).count()
    print(
        f"database: {connection.vendor}; {CONSUMERS + PROSUMERS + PRODUCERS} participants "
        f"({CONSUMERS} consumers, {PROSUMERS} prosumers, {PRODUCERS} producers), {MONTH:02d}/{YEAR}, "
        f"{run.quarter_hours:,} quarter-hours; {days:,} day rows and {lines:,} statement lines written; "
        f"deviations {run.deviations}, issues {len(run.issues)}"
    )
    print(f"result fingerprint {fingerprint(run)}; totals {run.totals['chf']}")
    print(f"best of {RUNS} runs (breakdown of that run); median end to end {sorted(totals)[RUNS // 2]:.3f} s")
    print(f"{'step':<44}{'seconds':>9}{'share':>8}{'vs 0.5 s':>10}")
    for label, seconds in (
        ("billing_run_start, end to end", total),
        ("  gather (billing.gathering.gather)", gather_s),
        ("  calculate (billing.calculation.calculate)", calculate_s),
        ("  write (the rest: checks, delete, inserts)", total - gather_s - calculate_s),
    ):
        print(f"{label:<44}{seconds:>9.3f}{seconds / total:>8.0%}{seconds / TARGET_SECONDS:>9.2f}x")
    print(
        f"(fastest gather of all runs {min(gathered.seconds):.3f} s, fastest calculate {min(calculated.seconds):.3f} s)"
    )

    if os.environ.get("BENCH_PROFILE"):
        profiler = cProfile.Profile()
        profiler.runcall(run_once)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(int(os.environ["BENCH_PROFILE"]))


if __name__ == "__main__":
    main()
