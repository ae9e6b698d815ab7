"""LEG allocation speed: one month of a 50-participant community, every method, against bare numpy.

Run: .venv/bin/python benchmarks/bench_allocation.py   (no Django, no database)
Prints, per method, the best of N runs in milliseconds and the ratio to "bare numpy": the same proportional
arithmetic on the same arrays in float64 (shares of min(Σ production, Σ consumption) pro-rata to consumption,
deliveries pro-rata to production), without integer rounding, checks or guarantees.
Targets: a 50-participant month in a few milliseconds; proportional within 3× of bare numpy.

Fresh megabyte-sized temporaries cost page faults, which are expensive on some VMs; bare numpy allocates more of
them than allocate (which divides only the fractional quarter-hours). To compare pure arithmetic, run with
MALLOC_TRIM_THRESHOLD_=1000000000 MALLOC_MMAP_THRESHOLD_=100000000 so that glibc keeps freed memory.
"""

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from billing.allocation import allocate

CONSUMERS, PRODUCERS, DAYS = 40, 10, 31
QUARTER_HOURS = DAYS * 96
RUNS = 500


def july_community(seed: int = 2026) -> tuple[np.ndarray, np.ndarray]:
    """Households of 2–8 MWh a year with morning and evening peaks; 5–30 kWp PV under varying clouds."""
    rng = np.random.default_rng(seed)
    hour = np.arange(QUARTER_HOURS) % 96 / 4
    daily_shape = 0.6 + 0.6 * np.exp(-((hour - 7.5) ** 2) / 2) + 1.0 * np.exp(-((hour - 19) ** 2) / 3)
    mean_wh = rng.uniform(2_000_000, 8_000_000, (CONSUMERS, 1)) / (365 * 96)
    consumption = mean_wh * daily_shape / daily_shape.mean() * rng.gamma(4, 1 / 4, (CONSUMERS, QUARTER_HOURS))

    sun = np.clip(np.sin((hour - 5.5) / 15 * np.pi), 0, None)
    clouds = np.repeat(rng.uniform(0.3, 1.0, DAYS), 96) * rng.uniform(0.7, 1.0, QUARTER_HOURS)
    peak_wh = rng.uniform(5, 30, (PRODUCERS, 1)) * 250  # kWp × 1 kW for a quarter-hour
    production = peak_wh * sun * clouds
    return np.rint(consumption).astype(np.int64), np.rint(production).astype(np.int64)


def bare_numpy_proportional(consumption: np.ndarray, production: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    total_consumption, total_production = consumption.sum(axis=0), production.sum(axis=0)
    shared = np.minimum(total_production, total_consumption)
    allocated = shared * consumption / np.maximum(total_consumption, 1)
    delivered = shared * production / np.maximum(total_production, 1)
    return allocated, delivered


def best_ms(run: Callable[[], object]) -> float:
    run()
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    consumption, production = july_community()
    rng = np.random.default_rng(1)
    options = {
        "proportional": {},
        "static": {"keys": rng.integers(1, 10, CONSUMERS)},
        "static_redistributed": {"keys": rng.integers(1, 10, CONSUMERS)},
        "priority": {"ranks": rng.integers(0, 4, CONSUMERS)},
    }
    bare = best_ms(lambda: bare_numpy_proportional(consumption, production))
    shared = np.minimum(consumption.sum(axis=0), production.sum(axis=0))
    print(
        f"{CONSUMERS} consumers, {PRODUCERS} producers, {QUARTER_HOURS} quarter-hours; "
        f"{consumption.sum() / 1e6:.1f} MWh consumed, {production.sum() / 1e6:.1f} MWh produced, "
        f"{shared.sum() / 1e6:.1f} MWh shareable; best of {RUNS} runs"
    )
    print(f"{'method':<22}{'ms':>8}{'× bare numpy':>14}")
    print(f"{'bare numpy (float)':<22}{bare:>8.2f}{1:>14.2f}")
    for method, extra in options.items():
        elapsed = best_ms(lambda method=method, extra=extra: allocate(consumption, production, method=method, **extra))
        print(f"{method:<22}{elapsed:>8.2f}{elapsed / bare:>14.2f}")


if __name__ == "__main__":
    main()
