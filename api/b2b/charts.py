"""Server-side SVG of a client's calls per day for the admin: answered calls and denied ones stacked per day.

Pure: figures in, SVG text out, every text escaped (as ``billing.charts``)."""

from collections.abc import Sequence
from html import escape

from django.utils.translation import gettext as _

from openleg.chart_axis import axis_top, gridlines, nice_step, svg_start
from openleg.formats import format_day, swiss_number

COLOURS = {"calls": "#2471a3", "denied": "#c0392b"}
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 860, 260, 56, 12, 16, 48


def calls_per_day_svg(rows: Sequence, title: str) -> str:
    """``rows``: objects with ``day``, ``calls`` and ``denied``, one per day in order."""
    peak = max((row.calls + row.denied for row in rows), default=0)
    step = nice_step(peak)
    top = axis_top(peak, step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(rows), 1)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    parts = svg_start(WIDTH, HEIGHT, title)
    parts += gridlines(top=top, step=step, y=y, left=LEFT, right=WIDTH - RIGHT)
    for index, row in enumerate(rows):
        x = LEFT + index * slot + slot * 0.1
        label = _("%(day)s: %(calls)s Aufrufe, %(denied)s abgewiesen") % {
            "day": format_day(row.day), "calls": swiss_number(row.calls, 0), "denied": swiss_number(row.denied, 0)
        }
        base = 0
        for series in ("calls", "denied"):
            value = getattr(row, series)
            if value:
                parts.append(
                    f'<rect class="{series}" x="{x:.1f}" y="{y(base + value):.1f}" width="{slot * 0.8:.1f}" '
                    f'height="{y(base) - y(base + value):.1f}" fill="{COLOURS[series]}"><title>{escape(label)}</title>'
                    "</rect>"
                )
            base += value
        if index % 5 == 0 or index == len(rows) - 1:
            parts.append(
                f'<text x="{x + slot * 0.4:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle">'
                f"{escape(row.day.strftime('%d.%m.'))}</text>"
            )
    legend = ((COLOURS["calls"], _("Aufrufe")), (COLOURS["denied"], _("abgewiesen")))
    for offset, (colour, text) in enumerate(legend):
        x = LEFT + offset * 120
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 18}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 9}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
