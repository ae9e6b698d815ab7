"""Server-side SVG of the sales funnel: per stage a centred bar for those that reached it and, inside, one for
those in it now; the conversion to the next stage between the bars.

Pure: figures in, SVG text out, no database and no JavaScript. Every piece of text is escaped.
"""

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from django.utils.translation import gettext as _

from openleg.formats import format_percent

WIDTH, ROW, GAP, TOP, LABEL_W, RATE_W = 760, 34, 22, 8, 150, 150
COLOURS = ("#1f618d", "#2471a3", "#2e86c1", "#5dade2", "#27ae60")
MIN_BAR = 4  # an empty stage still shows where it would be


def percent_label(percent: float | None) -> str:
    return "–" if percent is None else format_percent(Decimal(str(percent)))


def funnel_svg(stages: Sequence[tuple[str, int, int]], conversions: Sequence[float | None], title: str) -> str:
    """``stages`` as (label, now, reached) from the top of the funnel down: a pale bar as wide as those that ever
    reached the stage, a solid one for those in it now; ``conversions[i]`` the percent of those that reached
    stage i who reached stage i + 1 (``None`` if nobody reached stage i)."""
    peak = max((max(now, reached) for _label, now, reached in stages), default=0)
    span = WIDTH - LABEL_W - RATE_W
    centre = LABEL_W + span / 2
    height = TOP * 2 + len(stages) * ROW + max(len(stages) - 1, 0) * GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" font-family="sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, now, reached) in enumerate(stages):
        y = TOP + index * (ROW + GAP)
        colour = COLOURS[index % len(COLOURS)]
        tooltip = _("%(stage)s: %(now)s jetzt in dieser Phase, %(reached)s erreicht") % {
            "stage": label,
            "now": now,
            "reached": reached,
        }
        for count, opacity in ((reached, "0.25"), (now, "1")):
            width = max(span * count / peak if peak else 0, MIN_BAR)
            parts.append(
                f'<rect x="{centre - width / 2:.1f}" y="{y}" width="{width:.1f}" height="{ROW}" rx="3" '
                f'fill="{colour}" fill-opacity="{opacity}"><title>{escape(tooltip)}</title></rect>'
            )
        parts.append(
            f'<text x="{LABEL_W - 10}" y="{y + ROW / 2 + 5:.0f}" text-anchor="end">{escape(label)}: {now}</text>'
        )
        if index < len(conversions):
            rate = _("%(percent)s weiter") % {"percent": percent_label(conversions[index])}
            parts.append(
                f'<text x="{WIDTH - RATE_W + 10}" y="{y + ROW + GAP / 2 + 4:.0f}" fill="#555">↓ {escape(rate)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
