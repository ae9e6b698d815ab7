"""Parser throughput: quarter-hour values parsed per second, for a large SDAT E66 file and a large BKW CSV.

The BKW export is parsed twice: as the portal writes it and with every cell in quotes (as spreadsheet programs
save it); the quoted one must stay within a small factor of the unquoted one.

Run: .venv/bin/python benchmarks/bench_parsers.py [--points N] [--days N]
Builds both files in memory (no Django), parses each best of three, prints values/s side by side.
Target (architecture.md): at least 1,000,000 values per second.
"""

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from metering import parsers

ZURICH = ZoneInfo("Europe/Zurich")
PRODUCTS = (
    ("ebIXCode", "8716867000030", False),
    ("VSENationalCode", "2404050010123", True),
    ("VSENationalCode", "2404050010124", True),
)


def kwh(wh: np.ndarray) -> list[str]:
    return [f"{value // 1000}.{value % 1000:03d}" for value in wh.tolist()]


def sdat_file(points: int, first: date, days: int, *, pretty: bool) -> tuple[bytes, int]:
    """E66 1.6, three channels per point (total = LEG + grid), split channels provisional (Condition 21)."""
    start = datetime(first.year, first.month, first.day, tzinfo=ZURICH).astimezone(UTC)
    last = first + timedelta(days=days)
    end = datetime(last.year, last.month, last.day, tzinfo=ZURICH).astimezone(UTC)
    slots = int((end - start).total_seconds()) // 900
    rng = np.random.default_rng(1)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<rsm:ValidatedMeteredData_16 xmlns:rsm="http://www.strom.ch">\n']
    separator = "\n      " if pretty else ""
    for point in range(points):
        leg, grid = rng.integers(0, 400, slots), rng.integers(0, 400, slots)
        for (tag, code, provisional), values in zip(PRODUCTS, (leg + grid, leg, grid), strict=True):
            condition = f"{separator}<rsm:Condition>21</rsm:Condition>" if provisional else ""
            out.append(
                f"  <rsm:MeteringData>\n"
                f"    <rsm:Interval><rsm:StartDateTime>{start:%Y-%m-%dT%H:%M:%SZ}</rsm:StartDateTime>"
                f"<rsm:EndDateTime>{end:%Y-%m-%dT%H:%M:%SZ}</rsm:EndDateTime></rsm:Interval>\n"
                "    <rsm:Resolution><rsm:Resolution>15</rsm:Resolution>"
                "<rsm:Unit>MIN</rsm:Unit></rsm:Resolution>\n"
                "    <rsm:ConsumptionMeteringPoint>"
                f"<rsm:VSENationalID>CH10099912345{point:020d}</rsm:VSENationalID>"
                "</rsm:ConsumptionMeteringPoint>\n"
                f"    <rsm:Product><rsm:ID><rsm:{tag}>{code}</rsm:{tag}></rsm:ID>"
                "<rsm:MeasureUnit>KWH</rsm:MeasureUnit></rsm:Product>\n"
            )
            out.extend(
                f"    <rsm:Observation>{separator}<rsm:Position>{separator}<rsm:Sequence>{n}</rsm:Sequence>"
                f"{separator}</rsm:Position>{separator}<rsm:Volume>{volume}</rsm:Volume>{condition}"
                f"{separator}</rsm:Observation>\n"
                for n, volume in enumerate(kwh(values), 1)
            )
            out.append("  </rsm:MeteringData>\n")
    out.append("</rsm:ValidatedMeteredData_16>\n")
    return "".join(out).encode(), points * 3 * slots


def bkw_file(points: int, first: date, days: int, *, quoted: bool = False) -> tuple[bytes, int]:
    """myBKW export: one row per point and quarter-hour, consumption and production in each row."""
    rng = np.random.default_rng(2)
    stamps = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        stamps += [
            f"{day.day}.{day.month}.{day.year} {q // 4:02d}:{q % 4 * 15:02d}:00"
            for q in range(96)
            if not (day == date(2026, 3, 29) and 8 <= q < 12)
        ]
    lines = ["Messpunkt;Datum;Strombezug [kWh];Stromeinspeisung [kWh];Messdatengüte"]
    for point in range(points):
        mp = f"CH10222012345{point:020d}"
        bezug, einspeisung = kwh(rng.integers(0, 900, len(stamps))), kwh(rng.integers(0, 900, len(stamps)))
        lines += [f"{mp};{stamp};{b};{e};W" for stamp, b, e in zip(stamps, bezug, einspeisung, strict=True)]
    if quoted:
        lines = [";".join(f'"{cell}"' for cell in line.split(";")) for line in lines]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode(), points * len(stamps) * 2


def best_of(runs: int, action: Callable[[], object]) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--points", type=int, default=200)
    options.add_argument("--days", type=int, default=31)
    args = options.parse_args()
    first = date(2026, 3, 1)  # a month with a spring-forward day
    cases = [
        ("SDAT E66 (compact)", *sdat_file(args.points, first, args.days, pretty=False)),
        ("SDAT E66 (indented)", *sdat_file(args.points, first, args.days, pretty=True)),
        ("BKW CSV", *bkw_file(args.points, first, args.days)),
        ("BKW CSV (quoted)", *bkw_file(args.points, first, args.days, quoted=True)),
    ]
    print(f"{args.points} metering points x {args.days} days from {first} (SDAT: 3 channels per point)")
    print(f"{'file':<22}{'MB':>8}{'values':>12}{'seconds':>10}{'values/s':>14}{'vs 1M/s':>9}")
    for label, data, values in cases:
        parsed = parsers.parse(data)
        assert not parsed.problems, parsed.problems[:3]
        assert sum(s.intervals for s in parsed.series) == values
        seconds = best_of(3, lambda data=data: parsers.parse(data))
        rate = values / seconds
        size = len(data) / 1e6
        print(f"{label:<22}{size:>8.1f}{values:>12,}{seconds:>10.3f}{rate:>14,.0f}{rate / 1e6:>8.2f}x")


if __name__ == "__main__":
    main()
