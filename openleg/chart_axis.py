"""Round axis steps, their labels and the parts every server-side SVG chart starts with (billing, meter data,
dashboards, API usage). Every text is escaped here."""

from collections.abc import Callable
from decimal import Decimal
from html import escape
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


def svg_start(width: float, height: float, title: str, *, view_box: bool = False) -> list[str]:
    """The opening ``<svg>`` (an image named by ``title``) and its ``<title>``."""
    box = f' viewBox="0 0 {width} {height}"' if view_box else ""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"{box} role="img" '
        f'aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]


def gridlines(*, top: float, step: float, y: Callable[[float], float], left: float, right: float) -> list[str]:
    """A horizontal line from ``left`` to ``right`` at every step up to ``top``, labelled left of the axis."""
    parts = []
    for n in range(round(top / step) + 1):
        tick = n * step
        at = y(tick)
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{at:.1f}" y2="{at:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{at + 4:.1f}" text-anchor="end">{escape(axis_label(tick, step))}</text>'
        )
    return parts
