"""LEG allocation: hand-computed examples, exact invariants on random input, a slow exact reference, bad input."""

import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from math import floor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_array_equal

from billing.allocation import METHODS, Allocation, allocate

SHARING_ALL = ("proportional", "static_redistributed", "priority")


def column(*values: int) -> np.ndarray:
    """One quarter-hour: one row per participant."""
    return np.array(values, dtype=np.int64).reshape(-1, 1)


def allocated(consumption, production, **options) -> list[int]:
    return allocate(consumption, production, **options).allocated.ravel().tolist()


def assert_invariants(result: Allocation, consumption: np.ndarray, production: np.ndarray, method: str) -> None:
    """Everything the domain decisions require, exactly, in every quarter-hour."""
    assert result.allocated.dtype == np.int64 and result.delivered.dtype == np.int64
    assert result.allocated.shape == consumption.shape and result.delivered.shape == production.shape
    assert (result.allocated >= 0).all() and (result.allocated <= consumption).all()
    assert (result.delivered >= 0).all() and (result.delivered <= production).all()
    assert_array_equal(result.allocated.sum(axis=0), result.delivered.sum(axis=0))
    assert (result.delivered.sum(axis=0) <= production.sum(axis=0)).all()
    assert_array_equal(result.residual, consumption - result.allocated)
    assert_array_equal(result.surplus, production - result.delivered)
    assert (result.residual >= 0).all() and (result.surplus >= 0).all()
    if method in SHARING_ALL:
        assert_array_equal(result.allocated.sum(axis=0), np.minimum(production.sum(axis=0), consumption.sum(axis=0)))


# --- hand-computed examples -------------------------------------------------------------------------------------


def test_proportional_splits_pro_rata_to_consumption():
    result = allocate(column(100, 200, 300), column(300))
    assert result.allocated.ravel().tolist() == [50, 100, 150]
    assert result.residual.ravel().tolist() == [50, 100, 150]
    assert result.delivered.ravel().tolist() == [300]
    assert result.surplus.ravel().tolist() == [0]


def test_proportional_covers_all_consumption_when_production_exceeds_it():
    result = allocate(column(100, 200, 300), column(500, 300))
    assert result.allocated.ravel().tolist() == [100, 200, 300]
    # producers deliver 600 Wh pro-rata to 500:300 -> 375 / 225
    assert result.delivered.ravel().tolist() == [375, 225]
    assert result.surplus.ravel().tolist() == [125, 75]


def test_quarter_hours_are_independent():
    consumption = np.array([[100, 0, 40], [300, 50, 60]], dtype=np.int64)
    production = np.array([[200, 80, 0]], dtype=np.int64)
    result = allocate(consumption, production)
    assert result.allocated.tolist() == [[50, 0, 0], [150, 50, 0]]
    assert result.delivered.tolist() == [[200, 50, 0]]


def test_static_offers_each_consumer_its_key_share_once():
    result = allocate(column(100, 200, 300), column(400), method="static", keys=[0.5, 0.25, 0.25])
    assert result.allocated.ravel().tolist() == [100, 100, 100]
    assert result.surplus.ravel().tolist() == [100]
    assert result.delivered.ravel().tolist() == [300]


def test_static_keys_are_normalised_by_their_sum():
    assert allocated(column(100, 200, 300), column(400), method="static", keys=[2, 1, 1]) == [100, 100, 100]
    assert allocated(column(100, 200, 300), column(400), method="static", keys=[Decimal("50"), 25, 25]) == [
        100,
        100,
        100,
    ]


def test_static_zero_key_gets_nothing():
    result = allocate(column(100, 100), column(100), method="static", keys=[1, 0])
    assert result.allocated.ravel().tolist() == [100, 0]


def test_static_redistributed_passes_unused_share_on_by_key():
    result = allocate(column(100, 200, 300), column(400), method="static_redistributed", keys=[0.5, 0.25, 0.25])
    # round 1 offers 200/100/100: the first consumer needs only 100; its 100 go to the others 50/50
    assert result.allocated.ravel().tolist() == [100, 150, 150]
    assert result.surplus.ravel().tolist() == [0]


def test_static_redistributed_needs_several_rounds():
    # equal keys, 600 Wh: 200 each; the first takes 50, the second then is offered 275 and takes 250
    result = allocate(column(50, 250, 1000), column(600), method="static_redistributed", keys=[1, 1, 1])
    assert result.allocated.ravel().tolist() == [50, 250, 300]


def test_static_redistributed_finds_the_level_per_quarter_hour():
    consumption = np.array([[100, 100, 0], [400, 100, 500]], dtype=np.int64)
    production = np.array([[300, 150, 300]], dtype=np.int64)
    result = allocate(consumption, production, method="static_redistributed", keys=[1, 1])
    assert result.allocated.tolist() == [[100, 75, 0], [200, 75, 300]]


def test_static_redistributed_with_equal_keys_is_the_equal_split():
    assert allocated(column(10, 500, 500, 500), column(910), method="static_redistributed", keys=[1, 1, 1, 1]) == [
        10,
        300,
        300,
        300,
    ]


def test_static_redistributed_serves_everyone_fully_when_production_suffices():
    result = allocate(column(100, 200, 300), column(700), method="static_redistributed", keys=[5, 1, 1])
    assert result.allocated.ravel().tolist() == [100, 200, 300]
    assert result.surplus.ravel().tolist() == [100]


def test_priority_serves_ranks_in_order_and_pro_rata_within_a_rank():
    assert allocated(column(100, 200, 300), column(400), method="priority", ranks=[1, 2, 2]) == [100, 120, 180]
    assert allocated(column(100, 200, 300), column(400), method="priority", ranks=[2, 1, 1]) == [0, 160, 240]
    assert allocated(column(100, 200, 300), column(250), method="priority", ranks=[3, 1, 2]) == [0, 200, 50]


def test_priority_picks_the_partly_served_rank_per_quarter_hour():
    consumption = np.array([[100, 100, 100], [200, 200, 200]], dtype=np.int64)
    production = np.array([[50, 250, 400]], dtype=np.int64)
    result = allocate(consumption, production, method="priority", ranks=[0, 1])
    assert result.allocated.tolist() == [[50, 100, 100], [0, 150, 200]]
    assert result.surplus.tolist() == [[0, 0, 100]]


def test_priority_with_one_rank_is_proportional():
    consumption, production = column(7, 11, 13), column(20)
    assert allocated(consumption, production, method="priority", ranks=[0, 0, 0]) == allocated(consumption, production)


# --- rounding ---------------------------------------------------------------------------------------------------


def test_equal_remainders_go_to_the_lowest_index():
    assert allocated(column(50, 50, 50), column(100)) == [34, 33, 33]
    assert allocated(column(1, 1, 1, 1), column(2)) == [1, 1, 0, 0]
    assert allocated(column(500, 500, 500), column(100), method="static", keys=[1, 1, 1]) == [34, 33, 33]
    assert allocated(column(50, 50, 50), column(100), method="static_redistributed", keys=[1, 1, 1]) == [34, 33, 33]
    assert allocated(column(5, 50, 50, 50), column(105), method="priority", ranks=[0, 1, 1, 1]) == [5, 34, 33, 33]


def test_largest_remainder_beats_lower_index():
    # exact shares 2.5, 0.83, 1.67: floors 2+0+1, the two leftover Wh go to .83 and .67, not to the .5 at index 0
    assert allocated(column(3, 1, 2), column(5)) == [2, 1, 2]


def test_producers_deliver_pro_rata_with_the_same_rounding():
    result = allocate(column(100), column(1, 1, 1))
    assert result.allocated.ravel().tolist() == [3]
    result = allocate(column(2), column(10, 10, 10))
    assert result.delivered.ravel().tolist() == [1, 1, 0]


def test_static_caps_the_rounded_offer_at_consumption():
    # offers 34/33/33 Wh; the first consumer needs only 33, the 1 Wh left over is surplus
    result = allocate(column(33, 50, 50), column(100), method="static", keys=[1, 1, 1])
    assert result.allocated.ravel().tolist() == [33, 33, 33]
    assert result.surplus.ravel().tolist() == [1]


def test_float_keys_mean_the_decimal_they_print_as():
    # 0.1 / 0.2 / 0.7 are 1:2:7 exactly, so 1000 Wh split 100/200/700 without rounding noise
    keys = [0.1, 0.2, 0.7]
    assert allocated(column(1000, 1000, 1000), column(1000), method="static", keys=keys) == [100, 200, 700]


# --- edge cases -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_zero_production_allocates_nothing(method):
    result = allocate(column(100, 200), column(0, 0), **_options(method, 2))
    assert result.allocated.ravel().tolist() == [0, 0]
    assert result.residual.ravel().tolist() == [100, 200]
    assert result.delivered.ravel().tolist() == [0, 0]


@pytest.mark.parametrize("method", METHODS)
def test_zero_consumption_leaves_all_production_as_surplus(method):
    result = allocate(column(0, 0), column(70, 30), **_options(method, 2))
    assert result.allocated.ravel().tolist() == [0, 0]
    assert result.surplus.ravel().tolist() == [70, 30]


@pytest.mark.parametrize("method", METHODS)
def test_one_consumer_and_one_producer(method):
    consumption = np.array([[100, 300, 0, 5]], dtype=np.int64)
    production = np.array([[250, 250, 250, 0]], dtype=np.int64)
    result = allocate(consumption, production, **_options(method, 1))
    assert result.allocated.tolist() == [[100, 250, 0, 0]]
    assert result.delivered.tolist() == [[100, 250, 0, 0]]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("consumers", "producers", "quarter_hours"), [(0, 2, 3), (2, 0, 3), (0, 0, 3), (2, 2, 0)])
def test_empty_arrays(method, consumers, producers, quarter_hours):
    consumption = np.full((consumers, quarter_hours), 10, dtype=np.int64)
    production = np.full((producers, quarter_hours), 10, dtype=np.int64)
    result = allocate(consumption, production, **_options(method, consumers))
    assert result.allocated.shape == (consumers, quarter_hours)
    assert result.delivered.shape == (producers, quarter_hours)
    assert result.allocated.sum() == 0 and result.delivered.sum() == 0
    assert_array_equal(result.surplus, production)


def test_accepts_nested_lists_and_other_integer_dtypes():
    result = allocate([[100], [300]], np.array([[200]], dtype=np.uint16))
    assert result.allocated.tolist() == [[50], [150]]
    assert result.allocated.dtype == np.int64


def test_results_are_read_only_and_inputs_stay_writable():
    consumption = column(100, 300)
    result = allocate(consumption, column(200))
    with pytest.raises(ValueError, match="read-only"):
        result.allocated[0, 0] = 1
    consumption[0, 0] = 1
    assert result.allocated.tolist() == [[50], [150]]


def test_imports_without_django():
    code = "import sys, billing.allocation; assert not any(name.startswith('django') for name in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- property tests against a slow exact reference ----------------------------------------------------------------

ENERGY = st.one_of(st.just(0), st.integers(0, 30), st.integers(0, 10**6), st.just(10**6))


@st.composite
def communities(draw, max_consumers: int = 6, max_producers: int = 4, max_quarter_hours: int = 6):
    quarter_hours = draw(st.integers(0, max_quarter_hours))
    consumers = draw(st.integers(0, max_consumers))
    producers = draw(st.integers(0, max_producers))
    consumption = draw(arrays(np.int64, (consumers, quarter_hours), elements=ENERGY))
    production = draw(arrays(np.int64, (producers, quarter_hours), elements=ENERGY))
    return consumption, production


def keys_for(consumers: int, *, positive: bool):
    low = 1 if positive else 0
    key = st.one_of(
        st.integers(low, 1000),
        st.decimals(min_value=Decimal(low) / 100, max_value=100, places=2),
        st.fractions(min_value=Fraction(low, 10), max_value=10, max_denominator=10),
    )
    keys = st.lists(key, min_size=consumers, max_size=consumers)
    return keys if positive or consumers == 0 else keys.filter(any)


def exact_shares(consumption, production, method, keys=None, ranks=None) -> list[list[Fraction]]:
    """Each consumer's unrounded LEG share per quarter-hour, simulating the rules literally with Fractions."""
    consumers, quarter_hours = consumption.shape
    shares = [[Fraction(0)] * quarter_hours for _ in range(consumers)]
    for t in range(quarter_hours):
        demand = [int(value) for value in consumption[:, t]]
        available = Fraction(int(production[:, t].sum()))
        if method == "proportional":
            shared = Fraction(min(available, sum(demand)))
            received = [shared * need / sum(demand) if need else Fraction(0) for need in demand]
        elif method == "static":
            weights = [Fraction(key) for key in keys]
            received = [
                min(available * weight / sum(weights), need) for weight, need in zip(weights, demand, strict=True)
            ]
        elif method == "static_redistributed":
            received = [Fraction(0)] * consumers
            while available > 0 and any(got < need for got, need in zip(received, demand, strict=True)):
                hungry = [i for i in range(consumers) if received[i] < demand[i]]
                round_weight = sum(Fraction(keys[i]) for i in hungry)
                takes = {i: min(available * Fraction(keys[i]) / round_weight, demand[i] - received[i]) for i in hungry}
                for i, take in takes.items():
                    received[i] += take
                available -= sum(takes.values())
        else:
            received = [Fraction(0)] * consumers
            for rank in sorted(set(ranks)):
                members = [i for i in range(consumers) if ranks[i] == rank]
                rank_demand = sum(demand[i] for i in members)
                granted = Fraction(min(available, rank_demand))
                for i in members:
                    received[i] = Fraction(granted * demand[i], rank_demand) if rank_demand else Fraction(0)
                available -= granted
        for i in range(consumers):
            shares[i][t] = received[i]
    return shares


def round_largest_remainder(exact: list[Fraction]) -> list[int]:
    """Floors, then one Wh each to the largest fractional parts, ties to the lower index (the sum is whole)."""
    floors = [floor(value) for value in exact]
    leftover = sum(exact) - sum(floors)
    assert leftover.denominator == 1
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[: int(leftover)]:
        floors[i] += 1
    return floors


def expected_allocation(consumption, production, method, keys=None, ranks=None) -> tuple[list, list]:
    """Rounded allocation and delivery as the reference defines them, column by column."""
    shares = exact_shares(consumption, production, method, keys, ranks)
    consumers, quarter_hours = consumption.shape
    allocated_columns, delivered_columns = [], []
    for t in range(quarter_hours):
        exact = [shares[i][t] for i in range(consumers)]
        if method == "static":
            total = int(production[:, t].sum())
            weights = [Fraction(key) for key in keys]
            offers = round_largest_remainder([total * weight / sum(weights) for weight in weights])
            received = [min(offer, int(need)) for offer, need in zip(offers, consumption[:, t], strict=True)]
        else:
            received = round_largest_remainder(exact)
        total_production = int(production[:, t].sum())
        produced = [int(value) for value in production[:, t]]
        delivered = round_largest_remainder(
            [Fraction(sum(received) * value, total_production) if value else Fraction(0) for value in produced]
        )
        allocated_columns.append(received)
        delivered_columns.append(delivered)
    allocated_rows = [[allocated_columns[t][i] for t in range(quarter_hours)] for i in range(consumers)]
    delivered_rows = [[delivered_columns[t][j] for t in range(quarter_hours)] for j in range(production.shape[0])]
    return allocated_rows, delivered_rows


def assert_matches_reference(consumption, production, method, keys=None, ranks=None) -> None:
    result = allocate(consumption, production, method=method, keys=keys, ranks=ranks)
    assert_invariants(result, consumption, production, method)
    shares = exact_shares(consumption, production, method, keys, ranks)
    for i, row in enumerate(shares):
        for t, share in enumerate(row):
            assert abs(int(result.allocated[i, t]) - share) < 1, (i, t, share)
    for t in range(consumption.shape[1]):
        shared, produced = int(result.allocated[:, t].sum()), int(production[:, t].sum())
        for j in range(production.shape[0]):
            exact_delivery = Fraction(shared * int(production[j, t]), produced) if produced else 0
            assert abs(int(result.delivered[j, t]) - exact_delivery) < 1
    expected_allocated, expected_delivered = expected_allocation(consumption, production, method, keys, ranks)
    assert result.allocated.tolist() == expected_allocated
    assert result.delivered.tolist() == expected_delivered


@settings(deadline=None)
@given(communities())
def test_proportional_matches_exact_reference(community):
    assert_matches_reference(*community, "proportional")


@settings(deadline=None)
@given(communities(), st.data())
def test_static_matches_exact_reference(community, data):
    consumption, production = community
    keys = data.draw(keys_for(consumption.shape[0], positive=False))
    assert_matches_reference(consumption, production, "static", keys=keys)


@settings(deadline=None)
@given(communities(max_consumers=10), st.data())
def test_static_redistributed_matches_exact_reference(community, data):
    consumption, production = community
    keys = data.draw(keys_for(consumption.shape[0], positive=True))
    assert_matches_reference(consumption, production, "static_redistributed", keys=keys)


@settings(deadline=None)
@given(communities(max_consumers=10), st.data())
def test_priority_matches_exact_reference(community, data):
    consumption, production = community
    ranks = data.draw(st.lists(st.integers(-1, 3), min_size=len(consumption), max_size=len(consumption)))
    assert_matches_reference(consumption, production, "priority", ranks=ranks)


@settings(deadline=None, max_examples=50)
@given(communities(max_consumers=60, max_producers=15, max_quarter_hours=40))
def test_proportional_stays_within_one_wh_of_the_exact_share_on_larger_communities(community):
    consumption, production = community
    result = allocate(consumption, production)
    assert_invariants(result, consumption, production, "proportional")
    total_consumption, total_production = consumption.sum(axis=0), production.sum(axis=0)
    shared = np.minimum(total_consumption, total_production)
    # |allocated - shared × c / C| < 1  <=>  |allocated × C - shared × c| < C   (all in exact int64 here)
    assert (
        np.abs(result.allocated * total_consumption - shared * consumption) < np.maximum(total_consumption, 1)
    ).all()
    delivered_exactly = result.allocated.sum(axis=0) * production
    assert (np.abs(result.delivered * total_production - delivered_exactly) < np.maximum(total_production, 1)).all()


@pytest.mark.parametrize("method", METHODS)
def test_thousands_of_participants(method):
    rng = np.random.default_rng(2026)
    consumption = rng.integers(0, 2_000, size=(3_000, 96))
    consumption[rng.random(consumption.shape) < 0.2] = 0
    # a sunny day: from nothing at dawn to twice the community's consumption at noon
    production = (rng.integers(0, 100_000, size=(40, 96)) * np.sin(np.linspace(0, np.pi, 96)) * 2).astype(np.int64)
    options = {
        "static": {"keys": rng.integers(0, 100, 3_000)},
        "static_redistributed": {"keys": rng.integers(1, 100, 3_000)},
        "priority": {"ranks": rng.integers(0, 50, 3_000)},
    }.get(method, {})
    result = allocate(consumption, production, method=method, **options)
    assert_invariants(result, consumption, production, method)
    # the test covers both: production short of consumption, and production beyond it
    total_production, total_consumption = production.sum(axis=0), consumption.sum(axis=0)
    assert (total_production < total_consumption).any() and (total_production > total_consumption).any()


def _options(method: str, consumers: int) -> dict:
    """Valid keys or ranks for ``method``: equal keys, everyone in one rank."""
    if method in ("static", "static_redistributed"):
        return {"method": method, "keys": [1] * consumers}
    if method == "priority":
        return {"method": method, "ranks": [0] * consumers}
    return {"method": method}


# --- bad input ----------------------------------------------------------------------------------------------------


def raises_message(message: str, consumption=None, production=None, **options) -> None:
    consumption = column(100, 200) if consumption is None else consumption
    production = column(300) if production is None else production
    with pytest.raises(ValueError) as error:
        allocate(consumption, production, **options)
    assert str(error.value) == message


def test_negative_values_name_the_array_row_and_column():
    consumption = np.array([[1, 2, 3], [4, 5, -6]])
    raises_message(
        "consumption has a negative value at row 1, column 2: -6 Wh; energy must be ≥ 0", consumption, column(1, 1, 1).T
    )
    raises_message(
        "production has a negative value at row 0, column 1: -1 Wh; energy must be ≥ 0",
        np.ones((1, 2), dtype=np.int64),
        np.array([[0, -1], [-2, 0]]),
    )


def test_quarter_hours_must_match():
    raises_message(
        "consumption has 3 quarter-hours but production has 2; they must cover the same quarter-hours",
        np.zeros((2, 3), dtype=np.int64),
        np.zeros((1, 2), dtype=np.int64),
    )


def test_energy_must_be_a_two_dimensional_integer_array():
    raises_message("consumption must be an integer array of Wh, got dtype float64", column(100, 200).astype(float))
    raises_message("production must be an integer array of Wh, got dtype bool", production=np.ones((1, 1), dtype=bool))
    raises_message("consumption must be an integer array of Wh, got dtype object", np.array([[Decimal(1)]]))
    raises_message(
        "consumption must be 2-D (participants × quarter-hours), got shape (2,)", np.array([100, 200], dtype=np.int64)
    )


def test_unknown_method_lists_the_valid_ones():
    raises_message(
        "unknown allocation method 'equal'; valid methods are: proportional, static, static_redistributed, priority",
        method="equal",
    )


def test_keys_and_ranks_only_where_the_method_uses_them():
    raises_message("keys are only used by the static and static_redistributed methods, not by 'proportional'", keys=[1])
    raises_message(
        "keys are only used by the static and static_redistributed methods, not by 'priority'",
        method="priority",
        keys=[1, 1],
        ranks=[0, 0],
    )
    raises_message(
        "ranks are only used by the priority method, not by 'static'", method="static", keys=[1, 1], ranks=[0, 0]
    )
    raises_message("method 'static' needs keys, one per consumer", method="static")
    raises_message("method 'static_redistributed' needs keys, one per consumer", method="static_redistributed")
    raises_message("method 'priority' needs ranks, one per consumer", method="priority")


def test_bad_keys():
    raises_message(
        "keys has 3 entries but there are 2 consumers; give one per consumer", method="static", keys=[1, 1, 1]
    )
    raises_message("keys must not be negative; key 1 is -0.5", method="static", keys=[1, -0.5])
    raises_message("keys must not all be zero", method="static", keys=[0, 0.0])
    raises_message("keys must be finite numbers; key 0 is nan", method="static", keys=[float("nan"), 1])
    raises_message("keys must be finite numbers; key 1 is 'a'", method="static", keys=[1, "a"])
    raises_message("keys must be finite numbers; key 0 is True", method="static", keys=[True, 1])
    raises_message("keys must be a 1-D sequence of numbers, got shape (1, 2)", method="static", keys=[[1, 1]])
    raises_message(
        "static_redistributed needs a positive key for every consumer; key 1 is 0 "
        "(a consumer without a key could leave energy unshared; use static, or priority)",
        method="static_redistributed",
        keys=[1, 0],
    )


def test_bad_ranks():
    raises_message("ranks has 1 entries but there are 2 consumers; give one per consumer", method="priority", ranks=[0])
    raises_message("ranks must be integers, got dtype float64", method="priority", ranks=[0.5, 1])
    raises_message("ranks must be a 1-D sequence of integers, got shape ()", method="priority", ranks=1)


def test_values_beyond_the_int64_bound_are_refused():
    raises_message(
        "values too large for exact int64 arithmetic: a column total times one weight "
        "(10000000000 × 10000000000) exceeds 2^63 − 1; "
        "quarter-hour values below 10^7 Wh with at most 10^4 participants always fit",
        column(10**10, 10**10),
        column(10**10),
    )
    raises_message(
        "values too large for exact int64 arithmetic: the largest production value times the number of rows "
        f"({2**62} × 2) exceeds 2^63 − 1; quarter-hour values below 10^7 Wh with at most 10^4 participants always fit",
        production=column(2**62, 2**62),
    )
