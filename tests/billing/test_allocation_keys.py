"""Keys as users pass them: float shares, thirds, long Decimals, tiny next to large (billing.allocation)."""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.allocation import KEY_SCALE, allocate
from tests.billing.test_allocation import allocated, assert_invariants, column, communities, exact_shares

KEY_METHODS = ("static", "static_redistributed")


def assert_within_one_wh_of_the_exact_split(consumption, production, method, keys) -> None:
    """Every invariant, and every allocation within 1 Wh of the real-number split of the keys as given.

    Static keys are shares rounded to 10^-9 of the key sum; that may move an offer by Σ production × (1 + number
    of keys) / 10^9 Wh on top of the rounding, which the bound allows. static_redistributed rounds only once.
    """
    result = allocate(consumption, production, method=method, keys=keys)
    assert_invariants(result, consumption, production, method)
    consumers = consumption.shape[0]
    for i, row in enumerate(exact_shares(consumption, production, method, [Fraction(key) for key in keys])):
        for t, share in enumerate(row):
            key_rounding = Fraction(int(production[:, t].sum()) * (1 + consumers), KEY_SCALE)
            slack = key_rounding if method == "static" else 0
            assert abs(int(result.allocated[i, t]) - share) < 1 + slack, (i, t, float(share))


def test_float_shares_of_a_random_vector_are_accepted():
    x = np.random.default_rng(7).uniform(0.1, 10, 5)
    keys = x / x.sum()
    consumption = np.array([[4_000, 100, 0], [4_000, 2_000, 50], [4_000, 3_000, 70], [4_000, 900, 0], [4_000, 0, 1]])
    production = np.array([[9_000, 5_000, 100]])
    for method in KEY_METHODS:
        assert_within_one_wh_of_the_exact_split(consumption, production, method, keys)


def test_thirds_share_equally():
    assert allocated(column(1000, 1000, 1000), column(1000), method="static", keys=[1 / 3] * 3) == [334, 333, 333]
    assert allocated(column(50, 50, 50), column(100), method="static_redistributed", keys=[1 / 3] * 3) == [34, 33, 33]


def test_float_shares_of_one_two_four():
    x = np.array([1.0, 2.0, 4.0])
    assert allocated(column(1000, 1000, 1000), column(700), method="static", keys=x / x.sum()) == [100, 200, 400]
    # the first takes 50; 650 are left for keys 2 : 4, that is 216.67 and 433.33
    assert allocated(column(50, 1000, 1000), column(700), method="static_redistributed", keys=x / x.sum()) == [
        50,
        217,
        433,
    ]


def test_tenths_are_exact():
    keys = [0.1, 0.2, 0.7]
    assert allocated(column(1000, 1000, 1000), column(999), method="static", keys=keys) == [100, 200, 699]
    assert allocated(column(0, 1000, 1000), column(900), method="static_redistributed", keys=keys) == [0, 200, 700]


def test_decimal_keys_with_twelve_digits():
    keys = [Decimal("0.123456789012"), Decimal("0.876543210988")]
    # exact shares 123456.789012 and 876543.210988 Wh
    for method in KEY_METHODS:
        assert allocated(column(10**6, 10**6), column(10**6), method=method, keys=keys) == [123457, 876543]


def test_a_tiny_key_next_to_a_large_one():
    assert allocated(column(100, 100), column(150), method="static", keys=[1e-12, 1.0]) == [0, 100]
    # what the large key leaves goes round to the tiny one
    assert allocated(column(100, 100), column(150), method="static_redistributed", keys=[1e-12, 1.0]) == [50, 100]


def test_tiny_keys_keep_their_ratio_among_themselves_when_redistributed():
    # the large key takes its 10 Wh; the two tiny keys share the other 300 Wh 1 : 2
    assert allocated(column(10, 1000, 1000), column(310), method="static_redistributed", keys=[1.0, 1e-12, 2e-12]) == [
        10,
        100,
        200,
    ]
    assert allocated(
        column(0, 10**6, 10**6), column(10**6), method="static_redistributed", keys=[1000, 0.001, 0.0015]
    ) == [0, 400000, 600000]


def test_a_tiny_key_lost_in_a_float_sum_still_gets_what_is_left():
    # 16384 + 16384 + 1e-12 is 32768.0 in float64; the two large keys take all 4 Wh, nothing is left over
    assert allocated(column(2, 2, 2), column(4), method="static_redistributed", keys=[16384.0, 16384.0, 1e-12]) == [
        2,
        2,
        0,
    ]
    # the first wants nothing; the second stays hungry and gets 10^6 × 16384 / (16384 + 10^-12) Wh, the third
    # 6 × 10^-11 Wh: rounded, all to the second
    result = allocate(
        np.array([[0, 1], [1_000_000, 1], [1, 1]]),
        np.array([[1_000_000, 0]]),
        method="static_redistributed",
        keys=[1.0, 16384.0, 1e-12],
    )
    assert result.allocated.tolist() == [[0, 0], [1_000_000, 0], [0, 0]]


def test_invalid_keys_are_still_refused():
    def message(keys, method="static") -> str:
        with pytest.raises(ValueError) as error:
            allocate(column(100, 200), column(300), method=method, keys=keys)
        return str(error.value)

    assert message([0.5, -1e-12]) == "keys must not be negative; key 1 is -1e-12"
    assert message([Decimal("0.1"), Decimal("-0.000000000001")]) == "keys must not be negative; key 1 is -1E-12"
    assert message([float("nan"), 0.5]) == "keys must be finite numbers; key 0 is nan"
    assert message([0.5, float("inf")]) == "keys must be finite numbers; key 1 is inf"
    assert message([Decimal("NaN"), 1]) == "keys must be finite numbers; key 0 is Decimal('NaN')"
    assert message(np.zeros(2)) == "keys must not all be zero"
    assert message([Decimal("0.000"), 0.0]) == "keys must not all be zero"
    assert message([0.0, 1 / 3], "static_redistributed") == (
        "static_redistributed needs a positive key for every consumer; key 0 is 0.0 "
        "(a consumer without a key could leave energy unshared; use static, or priority)"
    )


def test_static_redistributed_still_refuses_consumption_beyond_exact_ordering():
    def message(consumption, keys) -> str:
        with pytest.raises(ValueError) as error:
            allocate(consumption, column(2**50), method="static_redistributed", keys=keys)
        return str(error.value)

    # 1 : 3 exactly: integer weights 1 and 3
    assert message(column(2**51, 1), [Fraction(1, 3), 1]) == (
        f"a consumption ({2**51} Wh) times the largest integer key (3) reaches 2^52, "
        "beyond which static_redistributed cannot order consumers exactly; use keys with fewer digits"
    )
    # 0.3333333333333333 : 1 has no small exact form: float64 level
    assert message(column(2**51, 2**51), [1 / 3, 1]) == (
        f"a quarter-hour's consumption ({2**52} Wh) reaches 2^52, beyond which static_redistributed "
        "cannot share by keys this fine exactly; use keys with fewer digits"
    )


# --- property tests: keys as users pass them ----------------------------------------------------------------------

RAW_KEY = st.one_of(
    st.floats(min_value=1e-12, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.sampled_from([1e-12, 1 / 3, 0.1, 0.2, 0.7, 1.0]),
    st.decimals(min_value=Decimal("0.000000000001"), max_value=1, places=12),
)


@st.composite
def user_keys(draw, consumers: int, *, positive: bool):
    """Raw positive keys, some zero where allowed, passed as drawn or as float shares x / x.sum()."""
    raw = draw(st.lists(RAW_KEY, min_size=consumers, max_size=consumers))
    if not positive and consumers > 1:
        raw = [key if draw(st.booleans()) or index == 0 else 0 for index, key in enumerate(raw)]
    if draw(st.booleans()):
        x = np.array([float(key) for key in raw], dtype=np.float64)
        return list(x / x.sum()) if consumers else []
    return raw


@settings(deadline=None, max_examples=300)
@given(communities(), st.data())
def test_static_with_user_keys_keeps_every_invariant(community, data):
    consumption, production = community
    keys = data.draw(user_keys(consumption.shape[0], positive=False))
    assert_within_one_wh_of_the_exact_split(consumption, production, "static", keys)


@settings(deadline=None, max_examples=300)
@given(communities(), st.data())
def test_static_redistributed_with_user_keys_keeps_every_invariant(community, data):
    consumption, production = community
    keys = data.draw(user_keys(consumption.shape[0], positive=True))
    assert_within_one_wh_of_the_exact_split(consumption, production, "static_redistributed", keys)
