"""Number formats of the documents (see openleg.numbers): capacities, prices, amounts, shares; lines of text."""

from collections.abc import Iterable
from decimal import Decimal

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from openleg.money import format_chf, format_price
from openleg.numbers import swiss_number, swiss_number_at_least

register = template.Library()


@register.filter
def kw(value: Decimal) -> str:
    """A capacity in kW or kWp: three decimals."""
    return swiss_number(value, 3)


@register.filter
def rappen(value: Decimal) -> str:
    """A price in Rp./kWh: two decimals, more only where the price has them (22.125)."""
    return format_price(value)


@register.filter
def chf(value: Decimal) -> str:
    return format_chf(value)


@register.filter
def percent(value: Decimal) -> str:
    return swiss_number(value, 1)


@register.filter
def key_weight(value: Decimal) -> str:
    """An allocation key as recorded: two decimals at least (0.25, 0.333333)."""
    return swiss_number_at_least(value, 2)


@register.filter
def lines(values: Iterable[str]) -> SafeString:
    """Values as the lines of one ``white-space: pre-line`` block (class ``lines`` in print.css), each escaped.

    WeasyPrint lays out one block of several lines far faster than a block per line (about an eighth of the work);
    a value never spans lines here: its own line breaks and runs of spaces become one space, empty values go.
    """
    one_line = (" ".join(str(value).split()) for value in values)
    return mark_safe("\n".join(conditional_escape(value) for value in one_line if value))
