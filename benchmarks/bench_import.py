"""Meter import throughput: quarter-hour values parsed and stored per second, end to end.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/openleg_bench .venv/bin/python benchmarks/bench_import.py
(defaults to a throw-away SQLite file). Prints, side by side: lxml alone walking the SDAT file, our
parse, and parse + check + store, with the ratio to the lxml walk and to the target.
Targets (issue 3): at least 1,000,000 values per second parsed and stored on PostgreSQL for a file of
200 metering points x 31 days x 3 channels, and within 3x of the lxml walk.
"""

import io
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openleg.settings.test")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from metering import parsers  # noqa: E402
from metering.sdat_writer import SdatSeries, write_e66  # noqa: E402
from openleg.periods import ZURICH, local_month  # noqa: E402

POINTS, CHANNELS = int(os.environ.get("BENCH_POINTS", "200")), ("total", "leg", "grid")


def build_file(year: int, month: int) -> tuple[bytes, int, list[str]]:
    period = local_month(year, month)
    rng = np.random.default_rng(7)
    ids = [f"CH10099912345{n:020d}" for n in range(POINTS)]
    series = []
    for mp_id in ids:
        leg = rng.integers(0, 300, period.quarter_hours)
        grid = rng.integers(0, 300, period.quarter_hours)
        for channel, values in zip(CHANNELS, (leg + grid, leg, grid), strict=True):
            series.append(SdatSeries(mp_id, "consumption", channel, period.start, values.tolist()))
    data = write_e66(series, document_id=f"BENCH-{year}{month:02d}", created=datetime(2026, 8, 1, tzinfo=UTC))
    return data, POINTS * len(CHANNELS) * period.quarter_hours, ids


def build_bkw_csv(year: int, month: int) -> tuple[bytes, int]:
    """The same points as a BKW portal export (local time, both directions per row); a month without DST."""
    period = local_month(year, month)
    rng = np.random.default_rng(11)
    stamps = [(period.start + timedelta(minutes=15 * n)).astimezone(ZURICH) for n in range(period.quarter_hours)]
    labels = [f"{t.day}.{t.month}.{t.year} {t:%H:%M:%S}" for t in stamps]
    lines = ["\ufeffMesspunkt;Datum;Strombezug [kWh];Stromeinspeisung [kWh];Messdatengüte"]
    # PV feeds in by day only: production at night would be noted as implausible for every point and night.
    daylight = np.array([9 <= t.hour < 16 for t in stamps])
    for n in range(POINTS):
        mp_id = f"CH10099912345{n:020d}"
        bezug, einspeisung = rng.integers(0, 900, (2, period.quarter_hours))
        einspeisung = np.where(daylight, einspeisung, 0)
        lines += [
            f"{mp_id};{label};{b / 1000:.3f};{e / 1000:.3f};W"
            for label, b, e in zip(labels, bezug, einspeisung, strict=True)
        ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8"), POINTS * 2 * period.quarter_hours


def prepare(ids: list[str]) -> None:
    from communities.models import Membership, MeteringPoint
    from tests.communities.factories import CommunityFactory, ParticipantFactory
    from tests.pipeline.factories import UtilityFactory

    utility = UtilityFactory(vnb_number="100999")
    community = CommunityFactory(utility=utility)
    points = MeteringPoint.objects.bulk_create(
        [MeteringPoint(mp_id=mp_id, utility=utility, connection_capacity_kw=25) for mp_id in ids]
    )
    participants = [ParticipantFactory(community=community) for _ in ids]
    Membership.objects.bulk_create(
        [
            Membership(metering_point=p, participant=q, valid_from=date(2026, 1, 1))
            for p, q in zip(points, participants, strict=True)
        ]
    )


def best_of(runs: int, action) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def lxml_walk(data: bytes) -> None:
    """What lxml alone needs to visit every element of the file (memory kept flat by clearing)."""
    for _event, element in etree.iterparse(io.BytesIO(data), resolve_entities=False, no_network=True):
        element.clear()


def measure(label: str, build, months, *, walk: bool = False) -> list[tuple[str, int, float, float]]:
    from metering.services import meter_file_import

    data, values = build(*months[0])
    parse_seconds = best_of(3, lambda: parsers.parse(data))
    rows = [(f"{label} lxml walk only", values, best_of(3, lambda: lxml_walk(data)), len(data))] if walk else []
    stored = []  # (seconds, values, bytes) per file: each month is new data, so every run really stores
    for year, month in months[1:]:
        file, count = build(year, month)
        started = time.perf_counter()
        outcome = meter_file_import(data=file, filename=f"bench-{label}-{month}", actor=None, door="command")
        stored.append((time.perf_counter() - started, count, len(file)))
        assert outcome.ok, [f.message for f in outcome.errors]
    seconds, count, size = min(stored, key=lambda run: run[0] / run[1])
    print(f"{label}: {len(data) / 1e6:.1f} MB, {values:,} quarter-hour values")
    return [
        *rows,
        (f"{label} parse only", values, parse_seconds, len(data)),
        (f"{label} parse + check + store", count, seconds, size),
    ]


def main() -> None:
    call_command("migrate", verbosity=0)
    prepare([f"CH10099912345{n:020d}" for n in range(POINTS)])
    rows = measure(
        "SDAT E66", lambda y, m: build_file(y, m)[:2], [(2026, 7), (2026, 1), (2026, 3), (2026, 5)], walk=True
    )
    rows += measure("BKW CSV", build_bkw_csv, [(2026, 7), (2026, 2), (2026, 4), (2026, 6)])
    print(f"database: {connection.vendor}; {POINTS} metering points, one month each; best of 3")
    walk_rate = rows[0][1] / rows[0][2]
    print(f"{'step':<34}{'seconds':>9}{'values/s':>14}{'MB/s':>8}{'vs 1M/s':>9}{'x lxml walk time':>18}")
    for label, values, seconds, size in rows:
        rate = values / seconds
        versus_walk = f"{walk_rate / rate:.2f}" if label.startswith("SDAT") else "-"
        print(
            f"{label:<34}{seconds:>9.3f}{rate:>14,.0f}{size / seconds / 1e6:>8.0f}{rate / 1e6:>8.2f}x{versus_walk:>18}"
        )


if __name__ == "__main__":
    main()
