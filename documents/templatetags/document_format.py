"""Number formats of the documents: capacities in kW with three decimals, prices in Rp./kWh."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def kw(value: Decimal) -> str:
    return number_format(Decimal(value), 3)


@register.filter
def rappen(value: Decimal) -> str:
    """A price in Rp./kWh: two decimals, more only where the price has them (22.125 → 22,125)."""
    value = Decimal(value).normalize()
    decimals = max(2, -value.as_tuple().exponent)
    return number_format(value, decimals)


@register.filter
def percent(value: Decimal) -> str:
    return number_format(Decimal(value), 1)
