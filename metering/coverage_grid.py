"""The coverage calendar as table rows: one row per metering point, one cell per day, each with a symbol and a
German title (day and status), so that colour is never the only sign. Cells are joined from strings made once per
day and status: 500 points × 31 days stay far from the template engine's per-cell cost."""

from dataclasses import dataclass
from datetime import date

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.weekdays import DAY_NAMES
from metering.coverage import NOT_MEMBER, CommunityCoverage
from metering.selectors import DayStatus

# status: (css class, symbol, German word); the legend shows them in this order
STATUSES = {
    DayStatus.COMPLETE: ("cov-complete", "✓", gettext_lazy("vollständig")),
    DayStatus.PROVISIONAL: ("cov-provisional", "P", gettext_lazy("provisorisch")),
    DayStatus.INCOMPLETE: ("cov-incomplete", "!", gettext_lazy("unvollständig")),
    DayStatus.MISSING: ("cov-missing", "✗", gettext_lazy("fehlt")),
    NOT_MEMBER: ("cov-none", "·", gettext_lazy("nicht Mitglied")),
}
LEG_SYMBOL = "L"


@dataclass(frozen=True)
class GridRow:
    mp_id: str
    members: str
    metering_point_id: int
    cells: SafeString
    missing_days: int


def day_label(day: date) -> str:
    """ "Mo 02.03.2026": the day as a cell's title starts."""
    return f"{str(DAY_NAMES[day.isoweekday()])[:2]} {day:%d.%m.%Y}"


def legend() -> list[tuple[str, str, str]]:
    return [(css, symbol, str(word)) for css, symbol, word in STATUSES.values()]


def grid_rows(coverage: CommunityCoverage) -> list[GridRow]:
    cells = _cell_strings(coverage.days)
    rows = []
    for point in coverage.points:
        html = "".join(
            cells[index][status, leg] for index, (status, leg) in enumerate(zip(point.statuses, point.leg, strict=True))
        )
        missing = sum(status == DayStatus.MISSING for status in point.statuses)
        rows.append(GridRow(point.mp_id, point.members, point.metering_point_id, mark_safe(html), missing))
    return rows


def _cell_strings(days: tuple[date, ...]) -> list[dict[tuple[str, bool], str]]:
    """Per day, the finished ``<td>`` for every status with and without the LEG channel (escaped once here)."""
    leg_note = _("LEG-Kanal geliefert")
    table = []
    for day in days:
        label = day_label(day)
        cells = {}
        for status, (css, symbol, word) in STATUSES.items():
            for leg in (False, True):
                title = f"{label}: {word}" + (f", {leg_note}" if leg else "")
                marker = f'<span class="cov-leg">{LEG_SYMBOL}</span>' if leg else ""
                cells[status, leg] = f'<td class="{css}" title="{escape(title)}">{symbol}{marker}</td>'
        table.append(cells)
    return table


def day_headers(days: tuple[date, ...]) -> SafeString:
    """The header cells: the day of the month, the weekday's name as title; weekends marked."""
    return mark_safe(
        "".join(
            format_html(
                '<th scope="col" class="{}" title="{}">{}</th>',
                "weekend" if day.isoweekday() > 5 else "",
                day_label(day),
                day.day,
            )
            for day in days
        )
    )
