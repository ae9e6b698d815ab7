"""LEG allocation speed, every method against bare numpy: two 50-participant months and a 500-participant year.

Run: .venv/bin/python benchmarks/bench_allocation.py   (no Django, no database)
Prints, per case and method, the best of N runs in milliseconds and the ratio to "bare numpy" (see
``bare_numpy_proportional``: the consumers' shares and the producers' deliveries of every quarter-hour, in
float64, without rounding, checks or guarantees). Both are measured side by side in the same run, on the same
arrays, taking turns.
Cases: "month" (July) and "winter" (January, daylight production close to consumption: hard data, nearly every
daylight quarter-hour split fractionally), 40 consumers + 10 producers × 31 days (2,976 quarter-hours); "year",
400 consumers + 100 producers × 365 days (35,040 quarter-hours). BENCH_CASES=month,winter,year (the default)
picks some of them.
Static methods run twice: with integer keys (exact weights) and with float shares x / x.sum() (static: shares
rounded to 10^-9; static_redistributed: float64 level, exact rounding).
Targets: a 50-participant month in a few milliseconds; every method within 3× of bare numpy in every case.

Fresh megabyte-sized temporaries cost page faults, which are expensive on some VMs; bare numpy allocates more of
them than allocate (which divides only the fractional quarter-hours). To compare pure arithmetic, run with
MALLOC_TRIM_THRESHOLD_=1000000000 MALLOC_MMAP_THRESHOLD_=100000000 so that glibc keeps freed memory.
"""

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from billing.allocation import allocate


@dataclass(frozen=True)
class Case:
    name: str
    consumers: int
    producers: int
    days: int
    runs: int
    season: str = "summer"

    @property
    def quarter_hours(self) -> int:
        return self.days * 96


CASES = (
    Case("month", consumers=40, producers=10, days=31, runs=500),
    Case("winter", consumers=40, producers=10, days=31, runs=500, season="winter"),
    Case("year", consumers=400, producers=100, days=365, runs=7, season="year"),
)


def community(case: Case, seed: int = 2026) -> tuple[np.ndarray, np.ndarray]:
    """Households of 2–8 MWh a year with morning and evening peaks; 5–30 kWp PV under varying clouds.

    The summer month is July; the year starts in January and adds a seasonal swing (more consumption and less sun
    in winter), so that some quarter-hours share everything, some nothing and many a fraction. The winter month is
    January's short days (sun from 08:15 to 16:45) with the PV sized so that daylight production is close to
    consumption: in nearly every daylight quarter-hour one side is short by a fraction, so the consumers' shares
    or the producers' deliveries (and the static offers, and the levels of static_redistributed) are fractional.
    """
    rng = np.random.default_rng(seed)
    slots = case.quarter_hours
    hour = np.arange(slots) % 96 / 4
    daily_shape = 0.6 + 0.6 * np.exp(-((hour - 7.5) ** 2) / 2) + 1.0 * np.exp(-((hour - 19) ** 2) / 3)
    mean_wh = rng.uniform(2_000_000, 8_000_000, (case.consumers, 1)) / (365 * 96)
    consumption = mean_wh * daily_shape / daily_shape.mean() * rng.gamma(4, 1 / 4, (case.consumers, slots))

    if case.season == "winter":
        # Low winter sun from 08:15 to 16:45 on steep, wide-spread panels: a flat day curve.
        sun = np.clip(np.sin((hour - 8.25) / 8.5 * np.pi), 0, None) ** 0.25
        clouds = rng.uniform(0.8, 1.0, slots)
    else:
        sun = np.clip(np.sin((hour - 5.5) / 15 * np.pi), 0, None)
        clouds = np.repeat(rng.uniform(0.3, 1.0, case.days), 96) * rng.uniform(0.7, 1.0, slots)
    if case.season == "year":
        season = np.cos(2 * np.pi * (np.arange(slots) / 96 - 172) / 365)  # +1 at the summer solstice
        consumption *= 1 - 0.25 * season
        sun = sun * (0.6 + 0.4 * season)
    peak_wh = rng.uniform(5, 30, (case.producers, 1)) * 250  # kWp × 1 kW for a quarter-hour
    production = peak_wh * sun * clouds
    if case.season == "winter":  # plants sized so that production is above consumption in half the daylight
        daylight = sun > 0
        production *= np.median(consumption.sum(axis=0)[daylight] / production.sum(axis=0)[daylight])
    return np.rint(consumption).astype(np.int64), np.rint(production).astype(np.int64)


def bare_numpy_proportional(consumption: np.ndarray, production: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the engine computes for "proportional", the plainest way: per quarter-hour, shared = min(Σ production,
    Σ consumption); each consumer's share = shared × consumption / Σ consumption and each producer's delivery =
    shared × production / Σ production, for every participant and quarter-hour, as float64 (not whole Wh)."""
    total_consumption, total_production = consumption.sum(axis=0), production.sum(axis=0)
    shared = np.minimum(total_production, total_consumption)
    allocated = shared * consumption / np.maximum(total_consumption, 1)
    delivered = shared * production / np.maximum(total_production, 1)
    return allocated, delivered


def best_ms(run: Callable[[], object], runs: int) -> float:
    run()
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def method_options(consumers: int, seed: int = 1) -> dict[str, tuple[str, dict]]:
    """Every method, the static ones twice: integer keys (exact weights) and float shares x / x.sum()."""
    rng = np.random.default_rng(seed)
    shares = rng.uniform(0.1, 10, consumers)
    shares /= shares.sum()  # float shares as users pass them: no small exact integer form
    return {
        "proportional": ("proportional", {}),
        "static": ("static", {"keys": rng.integers(1, 10, consumers)}),
        "static_redistributed": ("static_redistributed", {"keys": rng.integers(1, 10, consumers)}),
        "priority": ("priority", {"ranks": rng.integers(0, 4, consumers)}),
        "static, float shares": ("static", {"keys": shares}),
        "redistr., float shares": ("static_redistributed", {"keys": shares}),
    }


def measure(case: Case) -> None:
    consumption, production = community(case)
    options = method_options(case.consumers)
    total_consumption, total_production = consumption.sum(axis=0), production.sum(axis=0)
    shared = np.minimum(total_consumption, total_production)
    consumers_split = ((shared > 0) & (shared != total_consumption)).mean()
    producers_split = ((shared > 0) & (shared != total_production)).mean()
    print(
        f"\n{case.name}: {case.consumers} consumers, {case.producers} producers, {case.quarter_hours:,} "
        f"quarter-hours; {consumption.sum() / 1e6:,.1f} MWh consumed, {production.sum() / 1e6:,.1f} MWh produced, "
        f"{shared.sum() / 1e6:,.1f} MWh shareable; quarter-hours split fractionally: {consumers_split:.0%} among "
        f"consumers, {producers_split:.0%} among producers; best of {case.runs} runs"
    )
    print(f"{'method':<24}{'ms':>10}{'× bare numpy':>14}")
    # Bare numpy and allocate take turns, so that both see the same machine (other load, memory state).
    bare, elapsed = float("inf"), {}
    for label, (method, extra) in options.items():
        bare = min(bare, best_ms(lambda: bare_numpy_proportional(consumption, production), case.runs))
        elapsed[label] = best_ms(
            lambda method=method, extra=extra: allocate(consumption, production, method=method, **extra), case.runs
        )
    print(f"{'bare numpy (float)':<24}{bare:>10.2f}{1:>14.2f}")
    for label, ms in elapsed.items():
        verdict = "" if ms / bare <= 3 else "  above the 3× target"
        print(f"{label:<24}{ms:>10.2f}{ms / bare:>14.2f}{verdict}")


def main() -> None:
    wanted = os.environ.get("BENCH_CASES", "month,winter,year").split(",")
    for case in CASES:
        if case.name in wanted:
            measure(case)


if __name__ == "__main__":
    main()
