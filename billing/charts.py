"""Server-side SVG of a billing month for the reconciliation console: the community's energy per local day.

Pure: figures in, SVG text out, no database and no JavaScript, so the picture is testable as text.
Every piece of text that reaches the SVG is escaped.
"""

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape
from math import ceil

from django.utils.translation import gettext as _

from openleg.chart_axis import gridlines, nice_step, svg_start
from openleg.formats import format_kwh

COLOURS = {"production": "#2471a3", "consumption": "#c0392b", "leg": "#27ae60"}
FALLBACK_COLOUR = "#555"
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 860, 320, 64, 12, 16, 58
WEEKEND = (5, 6)


def month_energy_svg(
    days: Sequence[date], series: Mapping[str, Sequence[int]], labels: Mapping[str, str], title: str
) -> str:
    """Grouped bars per day, one bar per series in the order given; ``series`` holds Wh per day, aligned with ``days``.

    ``labels`` name the series in the legend and the tooltips; ``title`` becomes the accessible name of the picture.
    """
    names = list(series)
    peak_wh = max((max(values, default=0) for values in series.values()), default=0)
    step = nice_step(peak_wh / 1000)
    top = max(step * ceil(peak_wh / 1000 / step), step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP
    group = plot_w / max(len(days), 1)
    bar = group * 0.8 / max(len(names), 1)

    def y(kwh: float) -> float:
        return TOP + plot_h * (1 - kwh / top)

    parts = svg_start(WIDTH, HEIGHT, title)
    for index, day in enumerate(days):
        if day.weekday() in WEEKEND:
            parts.append(
                f'<rect x="{LEFT + index * group:.1f}" y="{TOP}" width="{group:.1f}" height="{plot_h}" fill="#f4f6f7"/>'
            )
    parts += gridlines(top=top, step=step, y=y, left=LEFT, right=WIDTH - RIGHT)
    parts.append(
        f'<text x="14" y="{TOP + plot_h / 2:.0f}" transform="rotate(-90 14 {TOP + plot_h / 2:.0f})" '
        f'text-anchor="middle">{escape(_("kWh pro Tag"))}</text>'
    )
    for index, day in enumerate(days):
        left = LEFT + index * group + group * 0.1
        for position, name in enumerate(names):
            wh = int(series[name][index])
            if wh <= 0:
                continue
            height = plot_h * (wh / 1000) / top
            parts.append(
                f'<rect x="{left + position * bar:.1f}" y="{TOP + plot_h - height:.1f}" width="{bar:.1f}" '
                f'height="{height:.1f}" fill="{COLOURS.get(name, FALLBACK_COLOUR)}">'
                f"<title>{day:%d.%m.%Y} {escape(labels.get(name, name))}: {format_kwh(wh)} kWh</title></rect>"
            )
        parts.append(
            f'<text x="{LEFT + (index + 0.5) * group:.1f}" y="{HEIGHT - BOTTOM + 14}" '
            f'text-anchor="middle">{day.day}</text>'
        )
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#888"/>')
    if peak_wh <= 0:
        parts.append(
            f'<text x="{LEFT + plot_w / 2:.0f}" y="{TOP + plot_h / 2:.0f}" text-anchor="middle" fill="#666">'
            f"{escape(_('Für diesen Monat sind keine Werte berechnet.'))}</text>"
        )
    for position, name in enumerate(names):
        x = LEFT + 190 * position
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 20}" width="10" height="10" fill="{COLOURS.get(name, FALLBACK_COLOUR)}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 11}">{escape(labels.get(name, name))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


DEVIATION_COLOURS = {"leg": "#27ae60", "vnb_leg": "#a9dfbf", "delivered": "#2471a3", "vnb_delivered": "#a9cce3"}
DEVIATION_HEIGHT, DEVIATION_GROUP, DEVIATION_TOP = 240, 84, 30
DEVIATION_NOTE_MIN_GROUP = 60  # narrower groups (many days) leave the differences to the table


def deviation_days_svg(
    days: Sequence[date],
    series: Mapping[str, Sequence[int | None]],
    labels: Mapping[str, str],
    notes: Sequence[str],
    title: str,
) -> str:
    """Ours beside the VNB's figure on each deviating day: grouped bars in Wh per day (None: no figure).

    ``notes`` are written above each day's group (the differences) while there is room; days are labelled
    dd.mm. since they need not follow each other. At most as wide as the month chart, however many days deviate.
    """
    names = list(series)
    group = min(DEVIATION_GROUP, (WIDTH - LEFT - RIGHT) / max(len(days), 1))
    width = round(max(360, LEFT + RIGHT + group * len(days)))
    peak_wh = max((max((v or 0 for v in values), default=0) for values in series.values()), default=0)
    step = nice_step(peak_wh / 1000)
    top = max(step * ceil(peak_wh / 1000 / step), step)
    plot_h = DEVIATION_HEIGHT - BOTTOM - DEVIATION_TOP
    bar = group * 0.8 / max(len(names), 1)

    def y(kwh: float) -> float:
        return DEVIATION_TOP + plot_h * (1 - kwh / top)

    parts = svg_start(width, DEVIATION_HEIGHT, title)
    parts += gridlines(top=top, step=step, y=y, left=LEFT, right=width - RIGHT)
    parts.append(
        f'<text x="14" y="{DEVIATION_TOP + plot_h / 2:.0f}" '
        f'transform="rotate(-90 14 {DEVIATION_TOP + plot_h / 2:.0f})" text-anchor="middle">'
        f"{escape(_('kWh pro Tag'))}</text>"
    )
    for index, day in enumerate(days):
        left = LEFT + index * group + group * 0.1
        for position, name in enumerate(names):
            wh = series[name][index]
            if not wh or wh <= 0:
                continue
            height = plot_h * (wh / 1000) / top
            parts.append(
                f'<rect x="{left + position * bar:.1f}" y="{DEVIATION_TOP + plot_h - height:.1f}" '
                f'width="{bar:.1f}" height="{height:.1f}" fill="{DEVIATION_COLOURS.get(name, FALLBACK_COLOUR)}">'
                f"<title>{day:%d.%m.%Y} {escape(labels.get(name, name))}: {format_kwh(wh)} kWh</title></rect>"
            )
        centre = LEFT + (index + 0.5) * group
        if group >= DEVIATION_NOTE_MIN_GROUP:
            parts.append(
                f'<text x="{centre:.1f}" y="{DEVIATION_TOP - 8}" text-anchor="middle" fill="#c0392b">'
                f"{escape(notes[index])}</text>"
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{DEVIATION_HEIGHT - BOTTOM + 14}" text-anchor="middle">{day:%d.%m.}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{DEVIATION_TOP + plot_h}" y2="{DEVIATION_TOP + plot_h}" '
        f'stroke="#888"/>'
    )
    for position, name in enumerate(names):
        x = LEFT + 150 * (position % 2)
        row = DEVIATION_HEIGHT - 34 + 16 * (position // 2)
        parts.append(
            f'<rect x="{x}" y="{row}" width="10" height="10" fill="{DEVIATION_COLOURS.get(name, FALLBACK_COLOUR)}"/>'
            f'<text x="{x + 14}" y="{row + 9}">{escape(labels.get(name, name))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
