"""Server-side SVG pictures of meter data for the admin: a day's profile and a month's coverage.

No JavaScript and no chart library: the admin stays a plain Django page, and the pictures are
testable as text.
"""

from calendar import monthrange
from datetime import date, datetime, timedelta
from html import escape

import numpy as np
from django.utils.translation import gettext as _

from openleg.chart_axis import axis_label, axis_top, nice_step
from openleg.periods import ZURICH, local_day

COLOURS = {
    ("consumption", "total"): "#c0392b",
    ("consumption", "leg"): "#27ae60",
    ("consumption", "grid"): "#e67e22",
    ("production", "total"): "#2471a3",
    ("production", "leg"): "#17a589",
    ("production", "grid"): "#7d3c98",
}
STATUS_COLOURS = {"complete": "#2e8b57", "provisional": "#f1c40f", "incomplete": "#e67e22", "missing": "#d5d8dc"}
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 760, 300, 56, 34, 14
LEGEND_COLUMNS, LEGEND_ROW = 3, 16  # six series in two rows of three: each label gets a third of the width


def day_profile_svg(day: date, series: dict[tuple[str, str], np.ndarray], labels: dict[tuple[str, str], str]) -> str:
    """Lines of kWh per quarter-hour over the local day; ``series`` holds mWh per slot (92, 96 or 100)."""
    slots = local_day(day).quarter_hours
    peak = max((float(values.max()) for values in series.values() if values.size), default=0.0) / 1e6
    step = nice_step(peak) if peak > 0 else 0.001
    top = axis_top(peak, step)
    plot_w, plot_h = WIDTH - LEFT - 12, HEIGHT - BOTTOM - TOP
    legend_rows = max(1, -(-len(series) // LEGEND_COLUMNS))
    height = HEIGHT + LEGEND_ROW * (legend_rows - 1)
    legend_column = (WIDTH - LEFT - 12) / LEGEND_COLUMNS

    def x(slot: float) -> float:
        return LEFT + plot_w * slot / slots

    def y(kwh: float) -> float:
        return TOP + plot_h * (1 - kwh / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" role="img" '
        f'aria-label="{escape(_("Tagesprofil"))} {day:%d.%m.%Y}" font-family="sans-serif" font-size="11">'
    ]
    for tick in range(round(top / step) + 1):
        kwh = tick * step
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - 12}" y1="{y(kwh):.1f}" y2="{y(kwh):.1f}" stroke="#eee"/>'
            f'<text x="{LEFT - 6}" y="{y(kwh) + 4:.1f}" text-anchor="end">{axis_label(kwh, step)}</text>'
        )
    start = local_day(day).start
    for slot in range(0, slots + 1, 4):
        moment = (start + timedelta(minutes=15 * slot)).astimezone(ZURICH)
        if moment.hour % 3 == 0 and slot < slots:
            parts.append(
                f'<line x1="{x(slot):.1f}" x2="{x(slot):.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" '
                f'stroke="#eee"/><text x="{x(slot):.1f}" y="{HEIGHT - BOTTOM + 14}" '
                f'text-anchor="middle">{moment:%H:%M}</text>'
            )
    parts.append(
        f'<text x="12" y="{TOP + plot_h / 2:.0f}" transform="rotate(-90 12 {TOP + plot_h / 2:.0f})" '
        f'text-anchor="middle">{escape(_("kWh pro Viertelstunde"))}</text>'
    )
    for index, (key, values) in enumerate(sorted(series.items())):
        points = " ".join(f"{x(n + 0.5):.1f},{y(v / 1e6):.1f}" for n, v in enumerate(values.tolist()))
        colour = COLOURS.get(key, "#555")
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{points}"/>')
        left = LEFT + 8 + legend_column * (index % LEGEND_COLUMNS)
        row_top = HEIGHT - 14 + LEGEND_ROW * (index // LEGEND_COLUMNS)
        parts.append(
            f'<rect x="{left:.0f}" y="{row_top}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + 14:.0f}" y="{row_top + 9}">{escape(labels.get(key, str(key)))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def coverage_calendar_svg(
    year: int, month: int, statuses: dict[date, str], labels: dict[str, str], link: str = ""
) -> str:
    """A month as a calendar grid, each day coloured by its coverage; ``link`` formats with the ISO day."""
    cell, gap = 34, 4
    first_weekday, days = monthrange(year, month)
    weeks = (first_weekday + days + 6) // 7
    width, height = 7 * (cell + gap) + 10, weeks * (cell + gap) + 30 + 16 * len(STATUS_COLOURS)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(_("Abdeckung"))} {month:02d}.{year}" font-family="sans-serif" font-size="11">'
    ]
    for column, name in enumerate([_("Mo"), _("Di"), _("Mi"), _("Do"), _("Fr"), _("Sa"), _("So")]):
        parts.append(
            f'<text x="{5 + column * (cell + gap) + cell / 2}" y="12" text-anchor="middle">{escape(name)}</text>'
        )
    for number in range(1, days + 1):
        day = date(year, month, number)
        index = first_weekday + number - 1
        cx, cy = 5 + (index % 7) * (cell + gap), 18 + (index // 7) * (cell + gap)
        status = statuses.get(day, "missing")
        box = (
            f'<rect x="{cx}" y="{cy}" width="{cell}" height="{cell}" rx="4" fill="{STATUS_COLOURS[status]}">'
            f"<title>{day:%d.%m.%Y}: {escape(labels[status])}</title></rect>"
            f'<text x="{cx + cell / 2}" y="{cy + cell / 2 + 4}" text-anchor="middle">{number}</text>'
        )
        parts.append(f'<a href="{escape(link.format(day=day.isoformat()))}">{box}</a>' if link else box)
    legend_y = 18 + weeks * (cell + gap) + 10
    for index, (status, colour) in enumerate(STATUS_COLOURS.items()):  # one per line: the labels differ in length
        row_top = legend_y + 16 * index
        parts.append(
            f'<rect x="5" y="{row_top}" width="10" height="10" fill="{colour}"/>'
            f'<text x="19" y="{row_top + 9}">{escape(labels[status])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def parse_day(value: str | None, default: date) -> date:
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").date()  # noqa: DTZ007 - a calendar day, no time
    except ValueError:
        return default
