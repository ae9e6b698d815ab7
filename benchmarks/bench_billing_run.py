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
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openleg.settings.test")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

import billing.services  # noqa: E402
from billing.allocation import allocate  # noqa: E402
from openleg.periods import ZURICH, local_month  # noqa: E402

YEAR, MONTH = 2026, 3
CONSUMERS, PROSUMERS, PRODUCERS = 35, 10, 5
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
TARGET_SECONDS = 0.5
COMMUNITY_NAME = "Bench LEG 50"
VNB_NUMBER = "100998"


def profiles(period, seed: int = 2026) -> tuple[np.ndarray, np.ndarray]:
    """Wh per quarter-hour, participants x slots: households with morning and evening peaks; PV of 5–30 kWp."""
    rng = np.random.default_rng(seed)
    slots = period.quarter_hours
    participants = CONSUMERS + PROSUMERS + PRODUCERS
    starts = [period.start + timedelta(minutes=15 * n) for n in range(slots)]
    hour = np.array([(t.astimezone(ZURICH).hour * 60 + t.astimezone(ZURICH).minute) / 60 for t in starts])
    days = slots // 96 + 1
    shape = 0.6 + 0.6 * np.exp(-((hour - 7.5) ** 2) / 2) + 1.0 * np.exp(-((hour - 19) ** 2) / 3)
    mean_wh = rng.uniform(2_000_000, 8_000_000, (participants, 1)) / (365 * 96)
    consumption = mean_wh * shape / shape.mean() * rng.gamma(4, 1 / 4, (participants, slots))
    sun = np.clip(np.sin((hour - 6.5) / 12 * np.pi), 0, None)
    clouds = np.repeat(rng.uniform(0.2, 1.0, days), 96)[:slots] * rng.uniform(0.7, 1.0, slots)
    peak_wh = rng.uniform(5, 30, (participants, 1)) * 250
    production = peak_wh * sun * clouds
    consumption, production = np.rint(consumption).astype(np.int64), np.rint(production).astype(np.int64)
    roles = roles_of_rows()
    consumption[[r == "producer" for r in roles]] = 0
    production[[r == "consumer" for r in roles]] = 0
    return consumption, production


def roles_of_rows() -> list[str]:
    return ["consumer"] * CONSUMERS + ["prosumer"] * PROSUMERS + ["producer"] * PRODUCERS


def build():
    """The bench community with its tariff and its month of data; reused if the database has it already."""
    from communities.models import Community, Membership, MeteringPoint
    from communities.services import tariff_create
    from metering.sdat_writer import SdatSeries, write_e66
    from metering.services import meter_file_import
    from tests.communities.factories import CommunityFactory, ParticipantFactory
    from tests.pipeline.factories import UtilityFactory

    existing = Community.objects.filter(name=COMMUNITY_NAME).first()
    if existing is not None:
        return existing
    started = time.perf_counter()
    utility = UtilityFactory(vnb_number=VNB_NUMBER, grid_usage_rp_kwh=Decimal("9.5000"))
    community = CommunityFactory(
        utility=utility,
        name=COMMUNITY_NAME,
        status="active",
        start_date=date(2026, 1, 1),
        vat_number="CHE-123.456.789 MWST",
        vnb_reference=f"{VNB_NUMBER}-000050",
    )
    roles = roles_of_rows()
    ids = [f"CH{VNB_NUMBER}12345{n:020d}" for n in range(len(roles))]
    points = MeteringPoint.objects.bulk_create(
        [MeteringPoint(mp_id=mp_id, utility=utility, connection_capacity_kw=25) for mp_id in ids]
    )
    participants = [ParticipantFactory(community=community, role=role) for role in roles]
    Membership.objects.bulk_create(
        [
            Membership(metering_point=p, participant=q, valid_from=date(2026, 1, 1))
            for p, q in zip(points, participants, strict=True)
        ]
    )
    tariff_create(
        community=community,
        valid_from=date(2026, 1, 1),
        consumer_price_rp_kwh=Decimal("18.5000"),
        producer_price_rp_kwh=Decimal("11.0000"),
        actor=None,
        door="command",
        windows=[
            {
                "label": "Hochtarif",
                "weekdays": "12345",
                "start_time": clock(7),
                "end_time": clock(20),
                "consumer_price_rp_kwh": Decimal("22.7500"),
                "producer_price_rp_kwh": Decimal("13.2500"),
            }
        ],
        fees=[{"label": "Administration", "amount_chf": Decimal("4.50")}],
    )

    period = local_month(YEAR, MONTH)
    consumption, production = profiles(period)
    consumers, producers = consumption.any(axis=1), production.any(axis=1)
    split = allocate(consumption[consumers], production[producers])  # the VNB's own split for the leg channel
    leg = np.zeros_like(consumption)
    delivered = np.zeros_like(production)
    leg[consumers], delivered[producers] = split.allocated, split.delivered
    series = []
    for row, mp_id in enumerate(ids):
        for direction, flag, total, share in (
            ("consumption", consumers[row], consumption, leg),
            ("production", producers[row], production, delivered),
        ):
            if flag:
                series.append(SdatSeries(mp_id, direction, "total", period.start, total[row].tolist()))
                series.append(SdatSeries(mp_id, direction, "leg", period.start, share[row].tolist()))
    data = write_e66(series, document_id=f"BENCH-RUN-{YEAR}{MONTH:02d}", created=datetime(2026, 4, 5, tzinfo=UTC))
    outcome = meter_file_import(data=data, filename="bench-billing-run.xml", actor=None, door="command")
    assert outcome.ok, [f.message for f in outcome.errors]
    print(
        f"built the community and imported {len(series)} series ({len(data) / 1e6:.1f} MB SDAT) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return community


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
