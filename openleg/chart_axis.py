"""Round axis steps and their labels for the server-side SVG charts (billing, meter data, dashboards)."""

from decimal import Decimal
from math import ceil, floor, log10

from openleg.formats import swiss_number


def nice_step(span: float, steps: int = 4) -> float:
    """A round axis step (1, 2 or 5 times a power of ten) so that ``steps`` of them cover ``span``."""
    if span <= 0:
        return 1.0
    raw = span / steps
    power = 10 ** floor(log10(raw))
    return next(factor * power for factor in (1, 2, 5, 10) if factor * power >= raw)


def axis_top(peak: float, step: float) -> float:
    """The top of an axis: the first whole step above ``peak`` with a little room, never zero."""
    return max(step * ceil(peak * 1.05 / step), step)


def axis_label(value: float, step: float) -> str:
    """A tick's value with as many decimals as the step needs (0.5 → one, 20 → none), in Swiss style."""
    decimals = max(0, -floor(log10(step))) if step < 1 else 0
    return swiss_number(Decimal(repr(value)), decimals)
