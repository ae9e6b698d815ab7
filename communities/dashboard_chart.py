"""Server-side SVG of the dashboard: shared kWh per month as bars, the LEG share of consumption as a line.

Pure: figures in, SVG text out, escaped, no JavaScript; the axis steps are those of every chart (openleg/chart_axis.py).
"""

from collections.abc import Sequence
from html import escape

from django.utils.translation import gettext as _

from communities.dashboard import MonthEnergy
from openleg.chart_axis import axis_top, gridlines, nice_step, svg_start
from openleg.formats import format_kwh, format_percent

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 760, 280, 64, 52, 16, 58
BAR_COLOUR, LINE_COLOUR = "#27ae60", "#1f4e3d"


def leg_share_svg(months: Sequence[MonthEnergy], title: str) -> str:
    """Bars of shared kWh (left axis) and the LEG share in percent (right axis, 0 to 100) per month."""
    peak_kwh = max((m.leg_wh for m in months), default=0) / 1000
    step = nice_step(peak_kwh)
    top = axis_top(peak_kwh, step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP
    group = plot_w / max(len(months), 1)
    base = TOP + plot_h

    def y(fraction: float) -> float:
        return TOP + plot_h * (1 - fraction)

    parts = svg_start(WIDTH, HEIGHT, title, view_box=True)
    parts += gridlines(top=top, step=step, y=lambda kwh: y(kwh / top), left=LEFT, right=WIDTH - RIGHT)
    for percent in (0, 25, 50, 75, 100):
        parts.append(
            f'<text x="{WIDTH - RIGHT + 6}" y="{y(percent / 100) + 4:.1f}" fill="{LINE_COLOUR}">{percent} %</text>'
        )
    parts.append(
        f'<text x="14" y="{TOP + plot_h / 2:.0f}" transform="rotate(-90 14 {TOP + plot_h / 2:.0f})" '
        f'text-anchor="middle">{escape(_("geteilte kWh"))}</text>'
    )
    points, runs_of_points = [], [[]]  # a month without a computed run breaks the line
    for index, month in enumerate(months):
        centre = LEFT + (index + 0.5) * group
        if month.leg_wh > 0:
            height = plot_h * month.leg_wh / 1000 / top
            parts.append(
                f'<rect x="{centre - group * 0.35:.1f}" y="{base - height:.1f}" width="{group * 0.7:.1f}" '
                f'height="{height:.1f}" fill="{BAR_COLOUR}"><title>{month.month.label} {escape(_("geteilt"))}: '
                f"{format_kwh(month.leg_wh)} kWh</title></rect>"
            )
        share = month.leg_share_percent
        if share is None:
            runs_of_points.append([])
        else:
            points.append((centre, y(float(share) / 100), month.month.label, share))
            runs_of_points[-1].append(points[-1])
        parts.append(f'<text x="{centre:.1f}" y="{base + 14}" text-anchor="middle">{month.month.label}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" stroke="#888"/>')
    for connected in runs_of_points:
        if len(connected) > 1:
            line = " ".join(f"{x:.1f},{py:.1f}" for x, py, _label, _share in connected)
            parts.append(f'<polyline fill="none" stroke="{LINE_COLOUR}" stroke-width="2" points="{line}"/>')
    for x, py, label, share in points:
        parts.append(
            f'<circle cx="{x:.1f}" cy="{py:.1f}" r="4" fill="{LINE_COLOUR}" stroke="#fff" stroke-width="1.5">'
            f"<title>{label} "
            f"{escape(_('LEG-Anteil'))}: {format_percent(share)}</title></circle>"
        )
    if not points:
        parts.append(
            f'<text x="{LEFT + plot_w / 2:.0f}" y="{TOP + plot_h / 2:.0f}" text-anchor="middle" fill="#666">'
            f"{escape(_('Noch keine berechneten Monate.'))}</text>"
        )
    legend_y = HEIGHT - 20
    parts.append(
        f'<rect x="{LEFT}" y="{legend_y}" width="10" height="10" fill="{BAR_COLOUR}"/>'
        f'<text x="{LEFT + 14}" y="{legend_y + 9}">{escape(_("geteilte kWh pro Monat"))}</text>'
        f'<line x1="{LEFT + 200}" x2="{LEFT + 214}" y1="{legend_y + 5}" y2="{legend_y + 5}" '
        f'stroke="{LINE_COLOUR}" stroke-width="2"/>'
        f'<text x="{LEFT + 218}" y="{legend_y + 9}">{escape(_("LEG-Anteil am Verbrauch"))}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
