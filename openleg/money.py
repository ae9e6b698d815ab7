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


def format_chf(amount: Decimal) -> str:
    """CHF as on Swiss invoices: two decimals, an apostrophe between thousands (1'234.50, -0.35)."""
    # + 0 turns a negative zero (a reversed 0.00) into 0.00
    return f"{round_chf(amount) + 0:,}".replace(",", "'")


def format_price(price: Decimal) -> str:
    """A unit price (Rp./kWh or CHF): two decimals, more where the price has them (22.125), apostrophes."""
    places = max(2, -Decimal(price).normalize().as_tuple().exponent)
    return f"{Decimal(price).quantize(Decimal(1).scaleb(-places)):,}".replace(",", "'")
