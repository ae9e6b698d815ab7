"""How numbers look on what people read: a point before the decimals, an apostrophe between thousands
(1'234.50), as on Swiss invoices and meter reports. Every document and console text uses this one rule."""

from decimal import Decimal


def swiss_number(value: Decimal | int, places: int) -> str:
    """``value`` with exactly ``places`` decimals (half-even rounding of Decimal.quantize)."""
    quantized = Decimal(value).quantize(Decimal(1).scaleb(-places)) + 0  # + 0: no "-0.00"
    return f"{quantized:,}".replace(",", "'")


def swiss_number_at_least(value: Decimal | int, places: int) -> str:
    """At least ``places`` decimals, more where ``value`` has them (22.125, a key of 0.333333)."""
    return swiss_number(value, max(places, -Decimal(value).normalize().as_tuple().exponent))
