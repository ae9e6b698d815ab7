"""Money is CHF as Decimal; one rounding rule for every amount that leaves a computation."""

from decimal import ROUND_HALF_UP, Decimal

CHF = Decimal
RAPPEN = Decimal("0.01")
_RAPPEN_PER_CHF = Decimal(100)


def round_chf(amount: Decimal) -> Decimal:
    """Round to the Rappen, half away from zero (commercial rounding as on Swiss invoices)."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"CHF amounts must be Decimal, got {type(amount).__name__}")
    return amount.quantize(RAPPEN, rounding=ROUND_HALF_UP)


def rappen_to_chf(rappen: Decimal) -> Decimal:
    """Convert a price or amount in Rappen (Rp.) to CHF without rounding."""
    return Decimal(rappen) / _RAPPEN_PER_CHF


def energy_cost_chf(*, wh: int, price_rp_per_kwh: Decimal) -> Decimal:
    """Exact (unrounded) cost in CHF of ``wh`` at a price in Rp./kWh."""
    if not isinstance(wh, int):
        raise TypeError(f"energy must be integer Wh, got {type(wh).__name__}")
    return Decimal(wh) * Decimal(price_rp_per_kwh) / Decimal(100_000)
