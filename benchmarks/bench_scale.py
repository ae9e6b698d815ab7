"""A utility's year at scale: 5,000 metering points in 150 communities, 2026, through the real importer.

Run: createdb -h 127.0.0.1 -U postgres openleg_scale
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/openleg_scale .venv/bin/python benchmarks/bench_scale.py
Parameters (environment): BENCH_POINTS (5000), BENCH_COMMUNITIES (150), BENCH_MONTHS (12: January to December),
BENCH_YEAR (2026; 2027 adds months on top of a loaded year), BENCH_PROCESSES (2: generating and importing),
BENCH_CHUNK (30 community files per generate/import round),
BENCH_RUNS (10 billing runs), BENCH_REDIS_URL (redis://127.0.0.1:6379/7, the month close's broker; flushed),
BENCH_MEDIA_ROOT (where the importer keeps the original files; default a folder in /dev/shm, emptied after each
round: a year of SDAT is ~50 GB of XML). PostgreSQL only.

Resumable: communities are built once (by name), and a community's month whose file was applied is not imported
again, so an interrupted run goes on where it stopped and a finished one only measures.

The data: one utility (VNB 100990); community sizes 10–80 (the first has 50 participants for the billing run, the
second 80 for the portal), 55 % consumers, 35 % prosumers, 10 % producers; per community and month one SDAT E66
file with the total and the VNB's "leg" channel of every series (benchmarks/bench_community.py), so about
2.7 series per point: ~470 million quarter-hour values for the full year.

Measured and printed beside the goals:
- import: per month and for the year, values per second of the import phase alone (files read from a RAM folder
  and applied with metering.services.meter_file_import by BENCH_PROCESSES processes at once: the importer is
  safe for it, imports of different metering points do not wait for each other) and, separately, of generating
  the files (same processes, before the import of the round);
- bytes stored per value: pg_total_relation_size of the day-series table (heap, TOAST, indexes) / values stored;
- a 50-participant billing run on the full table (billing_run_start, best and median of BENCH_RUNS);
- the month close: two `celery -A openleg worker -c 1` processes with the production settings on the bench
  Redis; billing.tasks.start_monthly_billing (the previous month, as beat sends it) when that month is loaded,
  else the same group for the last loaded month; wall clock from sending until every run is computed;
- the portal's run page and coverage calendar of the 80-participant community (median and p95).
"""

import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openleg.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from benchmarks.bench_community import (  # noqa: E402
    BenchShape,
    community_with_members,
    metering_point_ids,
    month_file,
)
from benchmarks.stack import celery_command, stop  # noqa: E402
from openleg.periods import local_month, utc_now  # noqa: E402

POINTS = int(os.environ.get("BENCH_POINTS", "5000"))
COMMUNITIES = int(os.environ.get("BENCH_COMMUNITIES", "150"))
MONTHS = list(range(1, int(os.environ.get("BENCH_MONTHS", "12")) + 1))
PROCESSES = int(os.environ.get("BENCH_PROCESSES", "2"))
CHUNK = int(os.environ.get("BENCH_CHUNK", "30"))
RUNS = int(os.environ.get("BENCH_RUNS", "10"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
YEAR, VNB = int(os.environ.get("BENCH_YEAR", "2026")), "100990"
GOAL_VALUES_PER_SECOND, GOAL_RUN_SECONDS, GOAL_CLOSE_SECONDS, GOAL_PAGE_SECONDS = 1_000_000, 0.5, 60.0, 0.3
TABLE = "metering_dayseries"


def community_sizes(points: int, communities: int, seed: int = 17) -> list[int]:
    """Sizes of 10 to 80 that add up to ``points``; the first is 50 (billing run), the second 80 (portal)."""
    sizes = np.random.default_rng(seed).integers(10, 81, communities)
    sizes[: min(2, communities)] = [50, 80][: min(2, communities)]
    low, high = (10, 80) if 10 * communities <= points <= 80 * communities else (1, points)
    if communities < 3 or points < 130 + communities - 2:
        raise ValueError(f"{points} points do not make {communities} communities beside those of 50 and 80")
    n = 2
    while (gap := points - int(sizes.sum())) != 0:
        index = 2 + n % (communities - 2)
        step = 1 if gap > 0 else -1
        if low <= sizes[index] + step <= high:
            sizes[index] += step
        n += 1
    return sizes.tolist()


def shapes() -> list[tuple[BenchShape, list[str]]]:
    """Every community's shape with the ids of its metering points."""
    result, first = [], 0
    for n, size in enumerate(community_sizes(POINTS, COMMUNITIES)):
        producers = max(1, round(size * 0.10))
        prosumers = round(size * 0.35)
        shape = BenchShape(
            name=f"Scale LEG {n + 1:03d}",
            vnb_number=VNB,
            consumers=size - producers - prosumers,
            prosumers=prosumers,
            producers=producers,
        )
        result.append((shape, metering_point_ids(VNB, first, size)))
        first += size
    return result


def set_up(plan: list[tuple[BenchShape, list[str]]]) -> list:
    """The utility and its communities; those the database has already are reused (the name is the key)."""
    from communities.models import Community
    from pipeline.models import Utility
    from tests.pipeline.factories import UtilityFactory

    utility = Utility.objects.filter(vnb_number=VNB).first() or UtilityFactory(
        vnb_number=VNB, grid_usage_rp_kwh=Decimal("9.5000")
    )
    existing = {c.name: c for c in Community.objects.filter(utility=utility)}
    started, built = time.perf_counter(), 0
    communities = []
    for shape, ids in plan:
        community = existing.get(shape.name)
        if community is None:
            community = community_with_members(shape, utility, ids)
            built += 1
        communities.append(community)
    if built:
        print(f"built {built} communities in {time.perf_counter() - started:.1f} s")
    return communities


def file_name(shape: BenchShape, month: int) -> str:
    return f"scale-{shape.name[-3:]}-{YEAR}{month:02d}.xml"


def _generate(job: tuple[BenchShape, list[str], int, str]) -> tuple[str, int]:
    """In a pool process: write one community-month file into the folder; (path, values)."""
    shape, ids, month, folder = job
    number = int(shape.name[-3:])
    seed = number * 100 + month + (YEAR - 2026) * 100_000
    data = month_file(shape, ids, YEAR, month, seed=seed, document=f"SCALE-{number:03d}-{YEAR}{month:02d}")
    path = os.path.join(folder, file_name(shape, month))
    with open(path, "wb") as handle:
        handle.write(data)
    return path, data.count(b"<rsm:Observation>")


def _import(path: str) -> tuple[str, int]:
    """In a pool process: apply one file through the importer; (status, values stored)."""
    from metering.services import meter_file_import

    with open(path, "rb") as handle:
        data = handle.read()
    outcome = meter_file_import(data=data, filename=os.path.basename(path), actor=None, door="command")
    assert outcome.ok, [f.message for f in outcome.errors]
    return outcome.status, outcome.meter_import.slots_new if outcome.meter_import else 0


def table_bytes() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_total_relation_size(%s), pg_relation_size(%s), pg_indexes_size(%s),"
            " COALESCE(pg_total_relation_size(reltoastrelid), 0) FROM pg_class WHERE relname = %s",
            [TABLE, TABLE, TABLE, TABLE],
        )
        total, heap, indexes, toast = cursor.fetchone()
    return {"total": total, "heap": heap, "indexes": indexes, "toast": toast}


def stored_values() -> int:
    from django.db.models import Sum

    from metering.models import MeterImport

    scale = MeterImport.objects.filter(filename__startswith="scale-", status=MeterImport.Status.APPLIED)
    return scale.aggregate(n=Sum("slots_new"))["n"] or 0


def import_year(plan: list[tuple[BenchShape, list[str]]]) -> list[tuple]:
    """Generate and import every community-month not applied yet; one line per month."""
    from metering.models import MeterImport

    applied = set(
        MeterImport.objects.filter(filename__startswith="scale-", status=MeterImport.Status.APPLIED).values_list(
            "filename", flat=True
        )
    )
    media = Path(settings.MEDIA_ROOT)
    folder = tempfile.mkdtemp(prefix="bench-scale-files-", dir="/dev/shm")
    months = []
    print(f"{'month':<7}{'files':>6}{'values':>14}{'gen s':>8}{'gen v/s':>12}{'import s':>10}{'import v/s':>13}"
          f"{'vs 1M/s':>9}{'table GB':>10}{'B/value':>9}")
    connections.close_all()  # the pool's processes open their own
    try:
        with multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
            _import_months(pool, plan, applied, folder, media, months)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return months


def _import_months(pool, plan, applied: set[str], folder: str, media: Path, months: list[tuple]) -> None:
    for month in MONTHS:
        todo = [(shape, ids) for shape, ids in plan if file_name(shape, month) not in applied]
        if not todo:
            continue
        values = generating = importing = 0.0
        for first in range(0, len(todo), CHUNK):
            jobs = [(shape, ids, month, folder) for shape, ids in todo[first : first + CHUNK]]
            started = time.perf_counter()
            made = pool.map(_generate, jobs, chunksize=1)
            generating += time.perf_counter() - started
            started = time.perf_counter()
            # the largest files first: the two processes end the round together
            paths = [path for path, _count in sorted(made, key=lambda m: -m[1])]
            outcomes = pool.map(_import, paths, chunksize=1)
            importing += time.perf_counter() - started
            assert {status for status, _ in outcomes} == {"applied"}, outcomes
            values += sum(count for _path, count in made)
            for path in paths:
                os.remove(path)
            shutil.rmtree(media / "meter-imports", ignore_errors=True)  # the kept originals of the round
        size = table_bytes()["total"]
        months.append((month, len(todo), values, generating, importing))
        print(
            f"{YEAR}-{month:02d}{len(todo):>6}{values:>14,.0f}{generating:>8.1f}{values / generating:>12,.0f}"
            f"{importing:>10.1f}{values / importing:>13,.0f}{values / importing / GOAL_VALUES_PER_SECOND:>8.2f}x"
            f"{size / 1e9:>10.2f}{size / max(stored_values(), 1):>9.1f}",
            flush=True,
        )


def billing_run(community, month: int) -> tuple[float, float, float]:
    """billing_run_start of the 50-participant community: best and median of RUNS, and the best run's gather."""
    from benchmarks.bench_billing_run import Timed
    from billing.services import billing_run_start

    billing_run_start(community=community, year=YEAR, month=month)  # warm-up
    totals = []
    with Timed("gather") as gathered:
        for _ in range(RUNS):
            started = time.perf_counter()
            billing_run_start(community=community, year=YEAR, month=month)
            totals.append(time.perf_counter() - started)
    best = min(range(RUNS), key=totals.__getitem__)
    return totals[best], statistics.median(totals), gathered.seconds[best]


def worker_environment() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openleg.settings.production",
        "SECRET_KEY": "bench-scale-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
    }


def month_close(communities, month: int) -> tuple[float, int, str]:
    """Two real workers compute every community's month; (seconds until all are computed, runs, how started)."""
    import redis
    from celery import group

    from billing.models import BillingRun
    from billing.tasks import previous_month, run_billing_for_community, start_monthly_billing
    from openleg.celery import app

    redis.Redis.from_url(REDIS_URL).flushdb()  # the bench's own Redis database: no queued task of an earlier run
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    log = open(Path(tempfile.gettempdir()) / "bench-scale-workers.log", "w")  # noqa: SIM115
    workers = [
        subprocess.Popen(
            [*celery_command("worker"), "-c", "1", "-n", f"scale{n}@%h", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=worker_environment(), stdout=log, stderr=subprocess.STDOUT,
        )
        for n in (1, 2)
    ]
    try:
        deadline = time.monotonic() + 120
        while len(app.control.ping(timeout=1.0) or []) < 2:
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                raise SystemExit(f"the workers did not start: see {log.name}")
        ids = [c.pk for c in communities]
        started_at = datetime.now(UTC)
        started = time.perf_counter()
        if previous_month() == (YEAR, month):
            start_monthly_billing.apply_async()
            how = "start_monthly_billing (as beat sends it)"
        else:
            group(run_billing_for_community.s(pk, YEAR, month) for pk in ids).apply_async()
            how = "the group of run_billing_for_community"
        computed = BillingRun.objects.filter(community_id__in=ids, year=YEAR, month=month, computed_at__gte=started_at)
        while (done := computed.count()) < len(ids) and time.perf_counter() - started < 15 * 60:
            time.sleep(0.1)
        return time.perf_counter() - started, done, how
    finally:
        for worker in workers:
            stop(worker)
        log.close()


def portal_pages(community, month: int) -> list[tuple[str, float, float, int]]:
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from benchmarks.bench_portal import p95, timed
    from billing.models import BillingRun

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    run = BillingRun.objects.filter(community=community, year=YEAR, month=month).latest("pk")
    user, _ = User.objects.get_or_create(
        username="bench-scale", defaults={"utility_id": community.utility_id, "portal_role": "approver"}
    )
    client = Client()
    client.force_login(user)
    calendar = {"pk": community.pk, "year": str(YEAR), "month": f"{month:02d}"}
    pages = [
        ("run page", reverse("portal:run", args=[community.pk, run.pk])),
        ("coverage calendar", reverse("portal:community-coverage", kwargs=calendar)),
    ]
    rows = []
    for label, url in pages:
        seconds, queries, _size = timed(client, url)
        rows.append((label, statistics.median(seconds), p95(seconds), queries))
    return rows


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("bench_scale measures PostgreSQL: set DATABASE_URL")
    own_media = not os.environ.get("BENCH_MEDIA_ROOT")
    settings.MEDIA_ROOT = os.environ.get("BENCH_MEDIA_ROOT") or tempfile.mkdtemp(prefix="bench-scale-media-",
                                                                                  dir="/dev/shm")
    try:
        measure()
    finally:
        if own_media:
            shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def measure() -> None:
    call_command("migrate", verbosity=0)
    print(f"uptime at start: {os.getloadavg()}; {POINTS} points, {COMMUNITIES} communities, months {MONTHS}, "
          f"{PROCESSES} processes")
    plan = shapes()
    communities = set_up(plan)
    months = import_year(plan)
    if months:
        values = sum(m[2] for m in months)
        generating, importing = sum(m[3] for m in months), sum(m[4] for m in months)
        print(f"this run: {values:,.0f} values; generating {generating:.0f} s ({values / generating:,.0f}/s), "
              f"importing {importing:.0f} s ({values / importing:,.0f}/s, {values / importing / 1e6:.2f}x the goal)")
    size, stored = table_bytes(), stored_values()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        rows = cursor.fetchone()[0]
    print(f"day-series table: {rows:,} rows, {stored:,} values stored; heap {size['heap'] / 1e9:.2f} GB, TOAST "
          f"{size['toast'] / 1e9:.2f} GB, indexes {size['indexes'] / 1e9:.2f} GB, total {size['total'] / 1e9:.2f} GB"
          f" = {size['total'] / max(stored, 1):.1f} B per value ({size['total'] / max(rows, 1):.0f} B per day row)")

    over = [m for m in MONTHS if local_month(YEAR, m).end <= utc_now()]
    if not over:
        print("no month of the run is over yet: billing run, month close and portal not measured")
        return
    month = 3 if 3 in over else over[-1]
    best, median, gather = billing_run(communities[0], month)
    print(f"billing run, {communities[0].participants.count()} participants, {month:02d}/{YEAR}: best {best:.3f} s "
          f"(gather {gather:.3f} s), median {median:.3f} s of {RUNS}; best {best / GOAL_RUN_SECONDS:.2f}x the goal")

    close_month = over[-1]  # the month beat closes when the run's last month is the one just over
    seconds, done, how = month_close(communities, close_month)
    print(f"month close {close_month:02d}/{YEAR}: {done} of {len(communities)} runs computed in {seconds:.1f} s on 2 "
          f"workers via {how}; {seconds / GOAL_CLOSE_SECONDS:.2f}x the 60 s goal")

    large = communities[1 if len(communities) > 1 else 0]
    print(f"portal, {large.participants.count()} participants, {close_month:02d}/{YEAR}:")
    for label, median, high, queries in portal_pages(large, close_month):
        print(f"  {label:<20} median {median * 1000:.1f} ms, p95 {high * 1000:.1f} ms, {queries} queries; "
              f"median {median / GOAL_PAGE_SECONDS:.2f}x, p95 {high / GOAL_PAGE_SECONDS:.2f}x the 300 ms goal")
    print(f"uptime at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
