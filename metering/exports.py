"""One metering point's quarter-hour values for a Europe/Zurich month, as a spreadsheet.

One row per quarter-hour, named by its local start and its zone (UTC+02:00 or UTC+01:00, which tells the two
02:00 hours of the last Sunday in October apart): 92 rows on the March DST day, 100 on the October one. Per
stored series its kWh (every stored digit: values are kept in mWh) and its quality; a quarter-hour never
delivered stays empty.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from communities.models import MeteringPoint
from metering.models import Channel, Direction, series_label
from metering.parsers.base import Quality
from metering.selectors import series_for_period
from openleg.periods import QUARTER_HOUR, ZURICH, local_month
from openleg.spreadsheets import KWH, MOMENT, TEXT, Table, table, to_csv, to_xlsx

MWH_PER_KWH = 1_000_000


def _quality_labels() -> dict[int, str]:
    return {
        Quality.MISSING: _("fehlt"),
        Quality.MEASURED: _("gemessen"),
        Quality.PROVISIONAL: _("provisorisch"),
        Quality.ESTIMATED: _("ersetzt"),
    }


def point_month_table(point: MeteringPoint, year: int, month: int) -> Table:
    period = local_month(year, month)
    series = series_for_period(metering_point_ids=[point.pk], period=period, channels=Channel.values)
    order = [(d, c) for d in Direction.values for c in Channel.values if (point.pk, d, c) in series]
    columns = [(_("Beginn (Ortszeit)"), MOMENT), (_("Zeitzone"), TEXT)]
    for direction, channel in order:
        label = series_label(direction, channel)
        columns += [(f"{label} (kWh)", KWH), (f"{label} {_('Qualität')}", TEXT)]
    labels = _quality_labels()
    grids = [series[(point.pk, direction, channel)] for direction, channel in order]
    rows = []
    for slot in range(period.quarter_hours):
        start = (period.start + slot * QUARTER_HOUR).astimezone(ZURICH)
        offset = start.strftime("%z")
        row = [start, f"UTC{offset[:3]}:{offset[3:]}"]
        for grid in grids:
            quality = int(grid.quality[slot])
            row += [None if quality == Quality.MISSING else Decimal(int(grid.values[slot])) / MWH_PER_KWH]
            row += [labels.get(quality, str(quality))]
        rows.append(tuple(row))
    return table(_("Viertelstunden"), columns, rows)


def point_month_xlsx(point: MeteringPoint, year: int, month: int) -> bytes:
    return to_xlsx([point_month_table(point, year, month)])


def point_month_csv(point: MeteringPoint, year: int, month: int) -> bytes:
    return to_csv(point_month_table(point, year, month))


def point_month_file_stem(point: MeteringPoint, year: int, month: int) -> str:
    return f"messwerte-{point.mp_id}-{year}-{month:02d}"
