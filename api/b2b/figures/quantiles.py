"""Median and quartiles of exact Decimal values.

Method: linear interpolation between the closest ranks (Hyndman & Fan type 7, the default of numpy and of
Excel's QUARTILE.INC): the p-quantile of n sorted values x is x[h] + (h - floor h) * (x[floor h + 1] - x[floor h])
with h = (n - 1) * p, counted from 0. Decimals all the way, so the figures are exact before they are rounded.
"""

from decimal import ROUND_HALF_UP, Decimal

QUANTILE_METHOD = "linear (Hyndman-Fan type 7, wie numpy und Excel QUARTILE.INC)"


def quantile(values: list[Decimal], p: Decimal) -> Decimal:
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    h = (len(ordered) - 1) * p
    low = int(h)
    if low + 1 >= len(ordered):
        return ordered[low]
    return ordered[low] + (h - low) * (ordered[low + 1] - ordered[low])


def quartiles(values: list[Decimal], places: Decimal) -> dict[str, str]:
    """First quartile, median and third quartile, each rounded to ``places``, as decimal strings."""
    return {
        name: str(quantile(values, Decimal(p)).quantize(places, rounding=ROUND_HALF_UP))
        for name, p in (("q1", "0.25"), ("median", "0.5"), ("q3", "0.75"))
    }
