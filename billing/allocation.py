"""Split each quarter-hour's LEG production among the community's consumers, in whole Wh.

By law the VNB computes, per quarter-hour, how much of each participant's energy came from the LEG. OpenLEG
recomputes that split independently (to bill the LEG and to reconcile the VNB's figures), so the arithmetic has
to be exact and reproducible: integer Wh in, integer Wh out, and these hold in every quarter-hour without
exception:

    0 ≤ allocated ≤ consumption          0 ≤ delivered ≤ production
    Σ allocated = Σ delivered ≤ Σ production
    Σ allocated = min(Σ production, Σ consumption)   (all methods except "static")

Quarter-hours are independent (no banking), so every method works on many quarter-hours at once, with no Python
loop over single quarter-hours. Most quarter-hours need no division at all: at night nothing is shared, and when
one side covers the other, everyone gets exactly their own value.

Speed. The quarter-hours that do need one are worked through in blocks of about 65,000 values (``_column_blocks``),
transposed so that each quarter-hour's values lie side by side: a block's temporaries stay in the CPU cache, and
the per-quarter-hour sorts run along contiguous memory. Sorts use the smallest exact integer keys that fit (int32
where they do), and integer divisions by one divisor go through a scalar. On a 500-participant year this keeps
every method within about 3× of plain float64 numpy doing the proportional split (benchmarks/bench_allocation.py);
tests/billing/test_allocation_pinned.py holds the results to the last Wh of the engine before these changes.

Rounding. Every split is "share a whole number of Wh pro-rata to integer weights". The exact share is a
fraction; it is rounded with the largest-remainder (Hamilton) method: everyone gets the floor of their exact share,
and the few Wh left over go one each to the largest remainders, ties to the lower participant index. So no value
moves by 1 Wh or more from its exact share, the parts add up to the whole exactly, and a share that is exactly
whole is never rounded (which keeps allocated ≤ consumption).

Bounds. The fractions are computed in int64 as (column total × weight) // (column weight sum). That needs the
products to stay below 2^63 ≈ 9.2 × 10^18. With quarter-hour values below 10^7 Wh (a 40 MW plant) and at most
10^4 participants, totals stay below 10^11 and products below 10^18, far inside. Rather than enforcing that
rule of thumb, ``allocate`` checks the actual products and raises ``ValueError`` if one would overflow.

Keys. Keys are taken as users pass them: shares like ``x / x.sum()``, ``1/3``, Decimals with many digits, a
tiny key next to a large one. Each key is first read exactly (a float as the decimal it prints as). If the
smallest integers with exactly the same ratios add up to at most 10^9 (``KEY_SCALE``: integers, decimals with a
few places, equal keys), they are the weights and the split is exact. Otherwise:

- ``static`` rounds each key's share of the key sum to nine decimals: weights in units of 10^-9 by largest
  remainder, adding up to exactly 10^9; a positive key that would get 0 gets 1, taken from the largest weight. A
  weight then differs from its exact share by less than one unit (the largest by at most one more per raised
  key), so an offer moves by at most Σ production × (1 + number of keys) / 10^9 Wh on top of the rounding:
  0.01 Wh per key for a 40 MW plant.
- ``static_redistributed`` cannot use shares rounded that way: the consumers still hungry share what is left by
  the ratio of their own keys, and 10^-9 of the sum says nothing about the ratio of two tiny keys. It finds each
  quarter-hour's level in float64 from the keys as floats (key sums taken from the small end), which puts every
  unrounded share within about 10^-9 Wh of the exact one, and rounds those by largest remainder to whole Wh
  that add up to min(Σ production, Σ consumption) and never exceed consumption. A quarter-hour's consumption
  must stay below 2^52 Wh for that (it does, by twelve orders of magnitude).

Either way the invariants hold exactly, since the final integers are checked sums, not floats. Weights of at most
10^9 keep column total × weight within int64; with exact weights static_redistributed also needs consumption ×
weight below 2^52 (it orders consumers by the float ratio), which consumptions below 4.5 × 10^6 Wh a quarter-hour
always meet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import partial
from math import gcd, isfinite, lcm

import numpy as np
import numpy.typing as npt

Keys = Sequence[int | float | Decimal | Fraction] | np.ndarray

METHODS = ("proportional", "static", "static_redistributed", "priority")
KEY_METHODS = ("static", "static_redistributed")

_INT64_MAX = int(np.iinfo(np.int64).max)
_INT32_MAX = int(np.iinfo(np.int32).max)
# Fractional quarter-hours are split in blocks of about this many values (see _column_blocks).
_BLOCK_VALUES = 2**16
# Keys whose exact integer form needs a larger sum are taken to shares of this many units (nine decimals).
KEY_SCALE = 10**9
# Consumers are sorted by consumption / key as float64; the order is exact while consumption × key < 2^52.
_EXACT_FLOAT_RATIO_LIMIT = 2**52


@dataclass(frozen=True, eq=False)
class Allocation:
    """The LEG share of every consumer and producer in every quarter-hour, all int64 Wh (read-only arrays).

    ``allocated`` is consumers × quarter-hours (LEG energy each consumer received), ``delivered`` is
    producers × quarter-hours (LEG energy each producer delivered). ``residual`` and ``surplus`` are derived on
    access from the inputs kept alongside, so they always agree with the shares.
    """

    allocated: np.ndarray
    delivered: np.ndarray
    consumption: np.ndarray = field(repr=False)
    production: np.ndarray = field(repr=False)

    @property
    def residual(self) -> np.ndarray:
        """Energy each consumer still draws from the grid; the VNB supplies and bills it."""
        return self.consumption - self.allocated

    @property
    def surplus(self) -> np.ndarray:
        """Energy each producer feeds into the grid beyond the LEG; the VNB credits it."""
        return self.production - self.delivered


def allocate(
    consumption: npt.ArrayLike,
    production: npt.ArrayLike,
    *,
    method: str = "proportional",
    keys: Keys | None = None,
    ranks: npt.ArrayLike | None = None,
) -> Allocation:
    """Split LEG production among consumers per quarter-hour with ``method`` (one of ``METHODS``).

    - ``proportional``: min(Σ production, Σ consumption) pro-rata to consumption.
    - ``static``: consumer i is offered key_i / Σ keys × Σ production and takes at most its consumption; what
      it leaves is surplus.
    - ``static_redistributed``: like ``static``, but what a consumer leaves goes round again to the consumers
      that still have demand, pro-rata to their keys, until all that can be shared is shared. Equal keys give
      the equal ("einfach") split. Every key must be positive, otherwise energy could stay unshared.
    - ``priority``: ``ranks`` are served in ascending order, each rank as much as remains, pro-rata to
      consumption within the rank.

    Producers always deliver pro-rata to their production. Every split is rounded to whole Wh by largest
    remainder; for ``static`` that is the offers (which add up to Σ production), then capped at consumption.
    ``keys`` are numbers (int, float, Decimal or Fraction; a float counts as the decimal it prints as, so 0.1
    means exactly 1/10); keys too fine for exact int64 weights are taken as the module docstring says. The
    result keeps read-only views of the two input arrays for ``residual`` and ``surplus``: do not modify them in
    place afterwards.
    """
    consumption = _energy_array("consumption", consumption)
    production = _energy_array("production", production)
    if consumption.shape[1] != production.shape[1]:
        raise ValueError(
            f"consumption has {consumption.shape[1]} quarter-hours but production has {production.shape[1]}; "
            "they must cover the same quarter-hours"
        )
    _check_method_arguments(method, keys, ranks)

    total_production = production.sum(axis=0)
    total_consumption = consumption.sum(axis=0)
    consumers = consumption.shape[0]
    # What the consumers receive in all: every method but static shares min(Σ production, Σ consumption) exactly.
    shared = np.minimum(total_production, total_consumption)
    if method == "proportional":
        allocated = _split_pro_rata(shared, consumption, total_consumption)
    elif method == "static":
        weights = _integer_keys(keys, consumers, allow_zero=True)
        allocated = _split_pro_rata(total_production, weights[:, np.newaxis])  # the offers
        np.minimum(allocated, consumption, out=allocated)
        shared = allocated.sum(axis=0)
    elif method == "static_redistributed":
        exact_keys = _checked_keys(keys, consumers, allow_zero=False)
        weights = _smallest_weights(exact_keys)
        if weights is None:
            float_keys = np.asarray(keys, dtype=np.float64)  # each key rounded once, as float(exact key) does
            if not np.isfinite(float_keys).all():  # a Decimal beyond float range: let float() say so
                float_keys = np.array([float(key) for key in exact_keys], dtype=np.float64)
            fill, check = partial(_fill_to_float_level, float_keys), _check_float_level_fits
        else:
            integer_weights = np.array(weights, dtype=np.int64)
            exact_fill = partial(_fill_to_level, weights=integer_weights, ratio_scale=_ratio_scale(weights))
            fill, check = exact_fill, partial(_check_level_fits, integer_weights)
        allocated = _water_fill(consumption, shared, total_consumption, fill, check)
    else:
        allocated = _serve_by_rank(consumption, _rank_array(ranks, consumers), total_production)

    delivered = _split_pro_rata(shared, production, total_production)
    return Allocation(
        allocated=_read_only(allocated),
        delivered=_read_only(delivered),
        consumption=_read_only(consumption),
        production=_read_only(production),
    )


def _split_pro_rata(totals: np.ndarray, weights: np.ndarray, weight_sums: np.ndarray | None = None) -> np.ndarray:
    """Split each column's total among the rows pro-rata to their weights, in whole Wh (largest remainder).

    ``totals`` has one entry per quarter-hour, ``weights`` is rows × quarter-hours (or rows × 1 for weights that
    do not change over time). A column whose weights are all zero must have a zero total.
    """
    if weight_sums is None:
        weight_sums = weights.sum(axis=0)
    if weight_sums.shape != totals.shape:  # weights constant over time
        weight_sums = np.broadcast_to(weight_sums, totals.shape)
    # A column that shares nothing, or exactly its weight sum, needs no division: that is every night, and every
    # quarter-hour in which production covers consumption or the other way round. Only the rest are fractional.
    shares = weights * (totals == weight_sums)
    fractional = np.flatnonzero((totals > 0) & (totals != weight_sums))
    rows = weights.shape[0]
    if fractional.size and rows:
        constant = weights.shape[1] == 1
        _check_largest_remainder_fits(
            totals[fractional], lambda: weights if constant else weights[:, fractional], weight_sums[fractional], rows
        )
        for columns in _column_blocks(fractional, rows):
            block_weights = weights.T if constant else weights.T[columns]
            shares[:, columns] = _largest_remainder(totals[columns], block_weights, weight_sums[columns]).T
    return shares


def _column_blocks(columns: np.ndarray, rows: int) -> list[np.ndarray]:
    """``columns`` in consecutive blocks of about ``_BLOCK_VALUES`` values for ``rows`` rows.

    A block's temporaries fit in the CPU cache and are reused from block to block; whole-array temporaries of a
    500-participant year are 100 MB each, and fresh memory costs a page fault per 4 KiB. Blocks are worked on
    transposed (quarter-hours × rows), so that each quarter-hour's values lie side by side: sorting them along
    the last axis is twice as fast as across rows.
    """
    step = max(1, _BLOCK_VALUES // rows)
    return [columns[start : start + step] for start in range(0, columns.size, step)]


def _check_largest_remainder_fits(
    totals: np.ndarray, weights: Callable[[], np.ndarray], weight_sums: np.ndarray, rows: int
) -> None:
    """Refuse columns whose largest remainder would overflow int64; ``weights()`` is computed only if it could."""
    largest_total, largest_weight_sum = int(totals.max()), int(weight_sums.max())
    # Weights are not negative, so no weight exceeds its column's weight sum: mostly there is no need to look.
    if largest_total * largest_weight_sum > _INT64_MAX:
        _check_product_fits(largest_total, int(weights().max()), "a column total times one weight")
    _check_product_fits(largest_weight_sum, rows, "a column's weight sum times the number of participants")


def _largest_remainder(totals: np.ndarray, weights: np.ndarray, weight_sums: np.ndarray) -> np.ndarray:
    """Hamilton rounding of total × weight / weight sum: floors, then 1 Wh each to the largest remainders.

    Works on a transposed block: ``weights`` is quarter-hours × rows (or 1 × rows for weights constant over
    time), and so is the result. The floors leave fewer Wh over than there are rows with a remainder, so a row
    gets at most 1 Wh more than its floor, and only if its exact share is not whole. Equal remainders favour the
    lower index. The caller has checked the bounds (``_check_largest_remainder_fits``).
    """
    rows = weights.shape[1]
    remainders = weights * totals[:, np.newaxis]
    if (weight_sums == weight_sums[0]).all():  # one divisor (constant weights): a scalar divides much faster
        divisor = weight_sums[0]
        floors = np.floor_divide(remainders, divisor)
        remainders -= floors * divisor
    else:
        divisors = weight_sums[:, np.newaxis]
        floors, remainders = np.divmod(remainders, divisors, out=(np.empty_like(remainders), remainders))
    leftover = totals - floors.sum(axis=1)
    # Make each quarter-hour's remainders unique with the index as tie-break (remainder × rows + preference); then
    # exactly the `leftover` largest keys lie at or above the leftover-th largest key. Keys stay below
    # weight sum × rows, so a column with nothing left over gets a cutoff no key reaches. Where they fit in int32
    # (nearly always) they are sorted as int32, twice as fast.
    key_type = np.int32 if int(weight_sums.max()) * rows <= _INT32_MAX else np.int64
    order_keys = remainders.astype(key_type, copy=False)
    order_keys *= rows
    order_keys += np.arange(rows - 1, -1, -1, dtype=key_type)
    ranked = np.sort(order_keys, axis=1)
    cutoffs = ranked[np.arange(totals.size), np.minimum(rows - leftover, rows - 1)]
    cutoffs[leftover == 0] = np.iinfo(key_type).max
    floors += order_keys >= cutoffs[:, np.newaxis]
    return floors


def _water_fill(
    consumption: np.ndarray,
    shared: np.ndarray,
    total_consumption: np.ndarray,
    fill: Callable[[np.ndarray, np.ndarray], np.ndarray],
    check: Callable[[np.ndarray, Callable[[], int]], None],
) -> np.ndarray:
    """Share ``shared`` per column so that consumer i gets min(level × weight_i, consumption_i), all of it.

    This is where static keys with redistribution end up after any number of rounds: one level per quarter-hour;
    consumers whose consumption / weight lies at or below it are served fully, the others get level × weight.
    Only quarter-hours that share something but not everything need the level; ``check`` refuses them first if
    they are beyond ``fill``'s bounds (given their total consumptions and a way to find their largest value).
    """
    allocated = consumption * (shared == total_consumption)
    levelled = np.flatnonzero((shared > 0) & (shared < total_consumption))
    if levelled.size:
        check(total_consumption[levelled], lambda: int(consumption[:, levelled].max()))
        for columns in _column_blocks(levelled, consumption.shape[0]):
            allocated[:, columns] = fill(consumption.T[columns], shared[columns]).T
    return allocated


def _check_level_fits(
    weights: np.ndarray, total_consumption: np.ndarray, largest_consumption: Callable[[], int]
) -> None:
    """Refuse consumptions beyond ``_fill_to_level``'s exact integer products and float ordering."""
    largest_total, max_weight, weight_sum = int(total_consumption.max()), int(weights.max()), int(weights.sum())
    # No consumption exceeds its column's total: mostly that bound is enough and the values need no look.
    max_consumption = largest_total
    if largest_total * weight_sum > _INT64_MAX or largest_total * max_weight >= _EXACT_FLOAT_RATIO_LIMIT:
        max_consumption = largest_consumption()
    _check_product_fits(max_consumption, weight_sum, "a consumption times the sum of the keys")
    _check_product_fits(largest_total, max_weight, "a total consumption times one key")
    if max_consumption * max_weight >= _EXACT_FLOAT_RATIO_LIMIT:
        raise ValueError(
            f"a consumption ({max_consumption} Wh) times the largest integer key ({max_weight}) reaches 2^52, "
            "beyond which static_redistributed cannot order consumers exactly; use keys with fewer digits"
        )


def _fill_to_level(
    consumption: np.ndarray, shared: np.ndarray, *, weights: np.ndarray, ratio_scale: np.ndarray | None
) -> np.ndarray:
    """Water-filling for columns where 0 < shared < total consumption (so somebody stays unsaturated).

    Sort the consumers by consumption / weight. Going up that order, the level only rises while consumers are
    served fully, so the first consumer that stays unsaturated, when everyone before it is served fully and
    everyone from it on shares the rest pro-rata to weight, fixes the level: what is left at that point over the
    weight from that point on. All comparisons are exact integer products (``_check_level_fits``). Works on a
    transposed block: ``consumption`` and the result are quarter-hours × consumers.
    """
    weight_sum = int(weights.sum())
    order = _ratio_order(consumption, weights, ratio_scale)
    sorted_consumption, sorted_weights = np.take(consumption, _flat_order(order)), np.take(weights, order)
    # At sorted position r: what is left once everyone before r is served fully, and the weight from r on.
    left = shared[:, np.newaxis] - (np.cumsum(sorted_consumption, axis=1) - sorted_consumption)
    weight_from = weight_sum - (np.cumsum(sorted_weights, axis=1) - sorted_weights)
    stays_unsaturated = sorted_consumption * weight_from > left * sorted_weights
    first_unsaturated = stays_unsaturated.argmax(axis=1)
    quarter_hours = np.arange(consumption.shape[0])
    level_numerator = left[quarter_hours, first_unsaturated]
    level_denominator = weight_from[quarter_hours, first_unsaturated]

    saturated = consumption * level_denominator[:, np.newaxis] <= level_numerator[:, np.newaxis] * weights
    rest_weights = np.where(saturated, 0, weights)
    return np.where(saturated, consumption, 0) + _split_pro_rata(level_numerator, rest_weights.T).T


def _ratio_scale(weights: list[int]) -> np.ndarray | None:
    """Integers m_i with consumption_i × m_i proportional to consumption_i / weight_i (lcm / weight), if small."""
    multiple = 1
    for weight in weights:
        multiple = lcm(multiple, weight)
        if multiple > _INT32_MAX:
            return None
    return np.array([multiple // weight for weight in weights], dtype=np.int64)


def _ratio_order(consumption: np.ndarray, weights: np.ndarray, ratio_scale: np.ndarray | None) -> np.ndarray:
    """Each quarter-hour's consumers in ascending order of consumption / weight (equal ratios in any order).

    Consumers with equal ratios saturate together, so their order among themselves does not matter. Where the
    exact integer keys consumption × lcm / weight, times the number of consumers plus the index, fit in int64,
    sorting them is much faster than sorting the float ratios by index (and equally exact).
    """
    rows = consumption.shape[1]
    if ratio_scale is not None:
        largest_key = int(consumption.max()) * int(ratio_scale.max()) * rows + rows - 1
        if largest_key <= _INT64_MAX:
            key_type = np.int32 if largest_key <= _INT32_MAX else np.int64
            keys = consumption.astype(key_type)
            keys *= (ratio_scale * rows).astype(key_type)
            keys += np.arange(rows, dtype=key_type)
            keys.sort(axis=1)
            keys %= rows
            return keys
    return np.argsort(consumption / weights, axis=1)


def _flat_order(order: np.ndarray) -> np.ndarray:
    """A permutation of each row as indices into the flattened array (np.take is faster than take_along_axis)."""
    return order + np.arange(0, order.size, order.shape[1])[:, np.newaxis]


def _float_ratio_order(ratios: np.ndarray) -> np.ndarray:
    """``np.argsort(ratios, axis=1)`` for non-negative float ratios, exactly, mostly four times faster.

    The bits of a non-negative float64 sort like the float as int64. With the index in the lowest bits (in place
    of as many low mantissa bits) the int64 sort gives a permutation that is checked on the full ratios: where
    they come out strictly ascending it is the only sorting permutation, so the one argsort would give. Ties of
    positive ratios are left to argsort (their order decides the float sums of the keys); ties at zero
    consumption are not, since those consumers come first and are saturated whatever their order.
    """
    rows = ratios.shape[1]
    index_mask = (1 << (rows - 1).bit_length()) - 1
    order = ratios.view(np.int64) & np.int64(~index_mask)
    order |= np.arange(rows)
    order.sort(axis=1)
    order &= index_mask
    ascending = np.take(ratios, _flat_order(order))
    ascending = (ascending[:, 1:] > ascending[:, :-1]) | (ascending[:, 1:] == 0)
    doubtful = np.flatnonzero(~ascending.all(axis=1))
    if doubtful.size:
        order[doubtful] = np.argsort(ratios[doubtful], axis=1)
    return order


def _check_float_level_fits(total_consumption: np.ndarray, largest_consumption: Callable[[], int]) -> None:
    """Refuse consumptions beyond ``_fill_to_float_level``'s float64 precision."""
    largest_total = int(total_consumption.max())
    if largest_total >= _EXACT_FLOAT_RATIO_LIMIT:
        raise ValueError(
            f"a quarter-hour's consumption ({largest_total} Wh) reaches 2^52, beyond which static_redistributed "
            "cannot share by keys this fine exactly; use keys with fewer digits"
        )


def _fill_to_float_level(keys: np.ndarray, consumption: np.ndarray, shared: np.ndarray) -> np.ndarray:
    """Water-filling with float64 keys (too fine for int64 weights), rounded to whole Wh that add up exactly.

    The level is found as in ``_fill_to_level``, in float64; the key sums from each sorted position on are summed
    from the end, so tiny keys are not lost next to large ones. Everyone's float share min(level × key,
    consumption) lies within about 10^-9 Wh of the exact one; it is then rounded by largest remainder to integers
    that add up to ``shared`` exactly and never exceed consumption. Works on a transposed block, as
    ``_fill_to_level``.
    """
    floats = consumption.astype(np.float64)
    order = _float_ratio_order(floats / keys)
    flat_order = _flat_order(order)
    sorted_consumption = np.take(consumption, flat_order)
    # Whole Wh below 2^52 add up exactly in float64 too, so the sums are taken as int64 (faster) and converted.
    left = (shared[:, np.newaxis] - (np.cumsum(sorted_consumption, axis=1) - sorted_consumption)).astype(np.float64)
    sorted_consumption = sorted_consumption.astype(np.float64)
    sorted_keys = np.take(keys, order)
    key_from = np.cumsum(sorted_keys[:, ::-1], axis=1)[:, ::-1]
    first_unsaturated = (sorted_consumption * key_from > left * sorted_keys).argmax(axis=1)
    quarter_hours = np.arange(consumption.shape[0])
    level = left[quarter_hours, first_unsaturated] / key_from[quarter_hours, first_unsaturated]
    # Saturated are the consumers sorted before the first unsaturated one: deciding that by comparing with the
    # level would lose a tiny key in a sum with large ones. So the float shares add up to what is shared.
    rows = consumption.shape[1]
    saturated = np.empty(order.shape, dtype=np.bool_)
    saturated.reshape(-1)[flat_order] = np.arange(rows) < first_unsaturated[:, np.newaxis]
    shares = np.where(saturated, floats, np.minimum(floats, level[:, np.newaxis] * keys))
    floors = np.minimum(np.floor(shares).astype(np.int64), consumption)
    leftover = shared - floors.sum(axis=1)
    can_take_more = floors < consumption
    # As in _largest_remainder: unique integer keys, remainder (in units of 2^-40, finer than the float noise of
    # the shares) × rows + preference for the lower index; consumers at their consumption rank below everyone.
    order_keys = np.where(can_take_more, ((shares - floors) * 2.0**40).astype(np.int64), -1)
    order_keys *= rows
    order_keys += np.arange(rows - 1, -1, -1, dtype=np.int64)
    ranked = np.sort(order_keys, axis=1)
    cutoffs = ranked[quarter_hours, np.clip(rows - leftover, 0, rows - 1)]
    cutoffs[leftover <= 0] = _INT64_MAX
    return floors + ((order_keys >= cutoffs[:, np.newaxis]) & can_take_more)


def _serve_by_rank(consumption: np.ndarray, ranks: np.ndarray, total_production: np.ndarray) -> np.ndarray:
    """Serve ranks in ascending order, each as much as remains, pro-rata to consumption within a rank.

    Per quarter-hour the better ranks are served fully until production runs short; then one rank is served
    partly (what the better ranks leave, pro-rata to consumption) and the ranks after it get nothing.
    """
    if consumption.shape[0] == 0:
        return np.zeros_like(consumption)
    distinct_ranks, rank_index = np.unique(ranks, return_inverse=True)
    by_rank = np.argsort(rank_index, kind="stable")
    rank_starts = np.searchsorted(rank_index[by_rank], np.arange(distinct_ranks.size))
    rank_demand = np.empty((distinct_ranks.size, consumption.shape[1]), dtype=np.int64)
    step = max(1, _BLOCK_VALUES // consumption.shape[0])
    for start in range(0, consumption.shape[1], step):  # rows ordered by rank, a cache-sized block at a time
        block = slice(start, start + step)
        np.add.reduceat(consumption[by_rank, block], rank_starts, axis=0, out=rank_demand[:, block])
    demand_through = np.cumsum(rank_demand, axis=0)  # demand of this rank and all better ones
    served_fully = demand_through <= total_production
    allocated = consumption * served_fully[rank_index]

    partly_served = served_fully.argmin(axis=0)  # the first rank not served fully, where there is one
    columns = np.arange(consumption.shape[1])
    partly_served_demand = rank_demand[partly_served, columns]
    left = total_production - (demand_through[partly_served, columns] - partly_served_demand)
    partial = np.flatnonzero(~served_fully[-1] & (left > 0))
    if partial.size:

        def member_consumption(columns: np.ndarray) -> np.ndarray:  # transposed: quarter-hours × consumers
            return consumption.T[columns] * (rank_index == partly_served[columns, np.newaxis])

        rows = consumption.shape[0]
        _check_largest_remainder_fits(
            left[partial], lambda: member_consumption(partial), partly_served_demand[partial], rows
        )
        for columns in _column_blocks(partial, rows):
            allocated[:, columns] += _largest_remainder(
                left[columns], member_consumption(columns), partly_served_demand[columns]
            ).T
    return allocated


def _energy_array(name: str, values: npt.ArrayLike) -> np.ndarray:
    """Return ``values`` as a 2-D int64 array of non-negative Wh, or say precisely what is wrong."""
    array = np.asarray(values)
    if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must be an integer array of Wh, got dtype {array.dtype}")
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (participants × quarter-hours), got shape {array.shape}")
    if array.size == 0:
        return array.astype(np.int64, copy=False)
    if array.dtype.kind == "u" and int(array.max()) > _INT64_MAX:
        raise ValueError(f"{name} has a value above the int64 range: {int(array.max())} Wh")
    array = array.astype(np.int64, copy=False)
    # One pass for both checks: read as uint64, a negative value is above every non-negative one.
    largest = int(array.view(np.uint64).max())
    if largest > _INT64_MAX:
        row, column = np.unravel_index(np.argmax(array < 0), array.shape)
        raise ValueError(
            f"{name} has a negative value at row {row}, column {column}: {array[row, column]} Wh; energy must be ≥ 0"
        )
    _check_product_fits(largest, array.shape[0], f"the largest {name} value times the number of rows")
    return array


def _check_method_arguments(method: str, keys: Keys | None, ranks: npt.ArrayLike | None) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown allocation method {method!r}; valid methods are: {', '.join(METHODS)}")
    if keys is not None and method not in KEY_METHODS:
        raise ValueError(f"keys are only used by the static and static_redistributed methods, not by {method!r}")
    if ranks is not None and method != "priority":
        raise ValueError(f"ranks are only used by the priority method, not by {method!r}")
    if keys is None and method in KEY_METHODS:
        raise ValueError(f"method {method!r} needs keys, one per consumer")
    if ranks is None and method == "priority":
        raise ValueError("method 'priority' needs ranks, one per consumer")


def _integer_keys(keys: Keys, consumers: int, *, allow_zero: bool) -> np.ndarray:
    """Int64 weights for keys: exactly the same ratios if they fit, else each share rounded to 10^-9."""
    ratios = _integer_ratios(_checked_keys(keys, consumers, allow_zero=allow_zero))
    return np.array(ratios if sum(ratios) <= KEY_SCALE else _rounded_shares(ratios), dtype=np.int64)


def _checked_keys(keys: Keys, consumers: int, *, allow_zero: bool) -> list[Fraction]:
    """The keys as exact fractions, one per consumer, or say precisely what is wrong with them."""
    values = np.asarray(keys, dtype=object)
    if values.ndim != 1:
        raise ValueError(f"keys must be a 1-D sequence of numbers, got shape {values.shape}")
    if len(values) != consumers:
        raise ValueError(f"keys has {len(values)} entries but there are {consumers} consumers; give one per consumer")
    fractions = [_exact_key(index, value) for index, value in enumerate(values)]
    for index, key in enumerate(fractions):  # a fraction's sign is its numerator's
        if key.numerator < 0:
            raise ValueError(f"keys must not be negative; key {index} is {values[index]}")
        if key.numerator == 0 and not allow_zero:
            raise ValueError(
                f"static_redistributed needs a positive key for every consumer; key {index} is {values[index]} "
                "(a consumer without a key could leave energy unshared; use static, or priority)"
            )
    if consumers and not any(key.numerator for key in fractions):
        raise ValueError("keys must not all be zero")
    return fractions


def _smallest_weights(keys: list[Fraction]) -> list[int] | None:
    """The smallest integers with exactly the ratios of ``keys``, or None if they add up to more than KEY_SCALE."""
    weights = _integer_ratios(keys)
    return weights if sum(weights) <= KEY_SCALE else None


def _integer_ratios(keys: list[Fraction]) -> list[int]:
    """The smallest integers with exactly the ratios of ``keys``."""
    denominator = lcm(*(key.denominator for key in keys))
    numerators = [key.numerator * (denominator // key.denominator) for key in keys]
    divisor = gcd(*numerators) or 1
    return [numerator // divisor for numerator in numerators]


def _rounded_shares(ratios: list[int]) -> list[int]:
    """Each key's share of the key sum in units of 1 / KEY_SCALE, largest remainder, adding up to KEY_SCALE.

    ``ratios`` are integers with exactly the keys' ratios (``_integer_ratios``), so the exact shares are the
    fractions ratio × KEY_SCALE / Σ ratios, worked out in Python integers. A positive key keeps a positive
    weight: one that would round to 0 gets 1, taken from the largest weight.
    """
    ratio_sum = sum(ratios)
    weights, remainders = zip(*(divmod(ratio * KEY_SCALE, ratio_sum) for ratio in ratios), strict=True)
    weights = list(weights)
    by_remainder = sorted(range(len(ratios)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[: KEY_SCALE - sum(weights)]:
        weights[i] += 1
    raised = [i for i, ratio in enumerate(ratios) if ratio > 0 and weights[i] == 0]
    largest = max(range(len(weights)), key=weights.__getitem__)
    if weights[largest] <= len(raised):
        raise ValueError(f"{len(ratios)} keys are too many to share {KEY_SCALE} weight units; give fewer consumers")
    for i in raised:
        weights[i] = 1
    weights[largest] -= len(raised)
    return weights


def _exact_key(index: int, value: object) -> Fraction:
    """A key as an exact fraction; a float is taken as the decimal it prints as (0.1 is 1/10, not 0.1000…0555)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return Fraction(int(value))
    if isinstance(value, Decimal) and value.is_finite():
        return Fraction(value)
    if isinstance(value, float | np.floating) and isfinite(value):
        return Fraction(*Decimal(repr(float(value))).as_integer_ratio())  # as Fraction(repr(...)), faster
    raise ValueError(f"keys must be finite numbers; key {index} is {value!r}")


def _rank_array(ranks: npt.ArrayLike, consumers: int) -> np.ndarray:
    array = np.asarray(ranks)
    if array.ndim != 1:
        raise ValueError(f"ranks must be a 1-D sequence of integers, got shape {array.shape}")
    if len(array) != consumers:
        raise ValueError(f"ranks has {len(array)} entries but there are {consumers} consumers; give one per consumer")
    if len(array) and (array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"ranks must be integers, got dtype {array.dtype}")
    return array


def _check_product_fits(left: int, right: int, what: str) -> None:
    if left * right > _INT64_MAX:
        raise ValueError(
            f"values too large for exact int64 arithmetic: {what} ({left} × {right}) exceeds 2^63 − 1; "
            "quarter-hour values below 10^7 Wh with at most 10^4 participants always fit"
        )


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view
