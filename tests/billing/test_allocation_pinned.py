"""The engine's exact output on the benchmark's communities, pinned before it was optimised.

Speed work on billing/allocation.py must not move a single Wh: these digests were taken from the engine as it
was before (commit 4a3564f). The communities are the benchmark's own (benchmarks/bench_allocation.py): a July
month, a January month in which daylight production is close to consumption, and a 500-participant year, with
every method and both kinds of keys. The inputs are pinned too, so that a change in the generated data is told
apart from a change in the engine. A small community full of ties (equal consumptions, zeros, repeated keys)
pins the cases where the order of equal ratios could matter.
"""

import hashlib

import numpy as np
import pytest

from benchmarks.bench_allocation import CASES, community, method_options
from billing.allocation import allocate

INPUTS = {"month": "7e574250b7eb2b91", "winter": "a8ffcecab87f6b93", "year": "358322956c949302"}

# (case, method label): (Σ allocated Wh over the whole period, digest of allocated and delivered)
PINNED = {
    ("month", "proportional"): (10019901, "c51105c166786b1d"),
    ("month", "static"): (8951404, "5f55753a166965cd"),
    ("month", "static_redistributed"): (10019901, "7a53ad2275b265b3"),
    ("month", "priority"): (10019901, "f688225b47d1b1b7"),
    ("month", "static, float shares"): (8816407, "37a8f272644780c2"),
    ("month", "redistr., float shares"): (10019901, "13a9d34805eaab63"),
    ("winter", "proportional"): (4206738, "bafb70843b4dafde"),
    ("winter", "static"): (3223963, "66527dd123934b8f"),
    ("winter", "static_redistributed"): (4206738, "37c35edf9c816699"),
    ("winter", "priority"): (4206738, "bcd84f6b8dad5d7b"),
    ("winter", "static, float shares"): (3143497, "5a14cb2fa779b3ea"),
    ("winter", "redistr., float shares"): (4206738, "895404c66e20da19"),
    ("year", "proportional"): (913035664, "e0509c33cfbb0191"),
    ("year", "static"): (782444652, "8fb5454f1d24424d"),
    ("year", "static_redistributed"): (913035664, "714ba785e8a9ac62"),
    ("year", "priority"): (913035664, "f469113090a8ecf6"),
    ("year", "static, float shares"): (763318440, "3b0a7c005a6ff63c"),
    ("year", "redistr., float shares"): (913035664, "cc7e65dad5e50983"),
}


def digest(*arrays: np.ndarray) -> str:
    """The first 16 hex digits of the SHA-256 of the arrays as little-endian int64, one after the other."""
    hasher = hashlib.sha256()
    for array in arrays:
        hasher.update(np.ascontiguousarray(array, dtype="<i8").tobytes())
    return hasher.hexdigest()[:16]


@pytest.fixture(scope="module")
def communities() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {case.name: community(case) for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_benchmark_communities_are_the_pinned_ones(communities, case):
    consumption, production = communities[case.name]
    assert consumption.shape == (case.consumers, case.days * 96)
    assert production.shape == (case.producers, case.days * 96)
    assert digest(consumption, production) == INPUTS[case.name]


def test_winter_daylight_is_split_fractionally(communities):
    """The winter month is hard data: production close to consumption wherever the sun shines, so in every
    daylight quarter-hour one side is split, and nearly every exact share on that side is a fraction."""
    consumption, production = communities["winter"]
    total_consumption, total_production = consumption.sum(axis=0), production.sum(axis=0)
    shared = np.minimum(total_consumption, total_production)
    daylight = total_production > 0
    consumers_split = daylight & (total_production < total_consumption)
    producers_split = daylight & (total_production > total_consumption)
    assert (int(daylight.sum()), int(consumers_split.sum()), int(producers_split.sum())) == (1023, 497, 526)

    def whole_shares(weights, columns, weight_sums):
        return int(((weights[:, columns] * shared[columns]) % weight_sums[columns] == 0).sum())

    assert whole_shares(consumption, consumers_split, total_consumption) == 3  # of 40 × 497
    assert whole_shares(production, producers_split, total_production) == 3  # of 10 × 526


@pytest.mark.parametrize(("case_name", "label"), list(PINNED))
def test_allocation_is_bit_identical_to_the_pinned_engine(communities, case_name, label):
    consumption, production = communities[case_name]
    method, options = method_options(consumption.shape[0])[label]
    result = allocate(consumption, production, method=method, **options)
    total, expected_digest = PINNED[(case_name, label)]
    assert int(result.allocated.sum()) == total
    assert int(result.delivered.sum()) == total
    assert digest(result.allocated, result.delivered) == expected_digest


def tied_community() -> tuple[np.ndarray, np.ndarray, dict[str, dict]]:
    """60 consumers with a handful of distinct consumptions (a third of them zero) and three distinct keys."""
    rng = np.random.default_rng(17)
    consumption = rng.choice([0, 0, 1, 2, 3, 5, 8], size=(60, 400)).astype(np.int64)
    production = rng.integers(0, 120, size=(3, 400))
    fine_keys = [0.123456789012, 0.246913578024, 0.0987654321098]  # too fine for int64 weights: float level
    redistributed_keys = [fine_keys[i] for i in rng.integers(0, 3, 60)]
    integer_keys = list(rng.integers(1, 4, 60))
    static_keys = [fine_keys[i] for i in rng.integers(0, 3, 60)]
    options = {
        "redistr., fine keys": {"method": "static_redistributed", "keys": redistributed_keys},
        "static_redistributed": {"method": "static_redistributed", "keys": integer_keys},
        "static, fine keys": {"method": "static", "keys": static_keys},
        "priority": {"method": "priority", "ranks": rng.integers(0, 3, 60)},
        "proportional": {"method": "proportional"},
    }
    return consumption, production, options


PINNED_TIES = {
    "redistr., fine keys": (57253, "eb138fbf79f2fe62"),
    "static_redistributed": (57253, "3f2165420786c725"),
    "static, fine keys": (37574, "565ada74fed944f3"),
    "priority": (57253, "ce5375b09526c7ed"),
    "proportional": (57253, "97b9f4410402fab2"),
}


@pytest.mark.parametrize("label", list(PINNED_TIES))
def test_ties_are_split_as_by_the_pinned_engine(label):
    consumption, production, options = tied_community()
    result = allocate(consumption, production, **options[label])
    assert (int(result.allocated.sum()), digest(result.allocated, result.delivered)) == PINNED_TIES[label]
