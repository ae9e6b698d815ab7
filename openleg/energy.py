"""Energy is integer Wh inside; kWh with three decimals only at the edges (files, screens)."""

from decimal import Decimal

WH_PER_KWH = 1000
MWH_PER_WH = 1000  # milliwatt-hours per watt-hour: meter files can carry sub-Wh precision


def kwh_to_wh(kwh: Decimal | str) -> int:
    """Convert kWh to Wh exactly; a value with more than three decimals is refused."""
    wh = Decimal(kwh) * WH_PER_KWH
    if wh != wh.to_integral_value():
        raise ValueError(f"{kwh} kWh is not a whole number of Wh")
    return int(wh)


def wh_to_kwh(wh: int) -> Decimal:
    """Wh as kWh with exactly three decimals, for display and files."""
    return (Decimal(int(wh)) / WH_PER_KWH).quantize(Decimal("0.001"))  # int(): numpy integers too
