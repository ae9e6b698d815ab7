"""The grid figures of community flows, per month and for the year, as the API answers them.

- LEG share of consumption: shared / consumption; self-supply of production: (production − fed into the grid) /
  production (without a battery that is shared / production; with one, what the battery lost or still holds at the
  year's end counts as used in the community, since it never reached the grid). Percent with one decimal.
- surplus hours: quarter-hours in which the community produced more than it consumed, × 0.25 h;
- feed-in peak: the largest quarter-hour fed into the grid, as kW (Wh × 4 / 1000);
- kWh as decimal strings with three decimals (exact Wh). A ratio over nothing is ``None``, never 0.
"""

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.utils.translation import gettext as _

from api.b2b.figures.what_if import Flows
from openleg.energy import wh_to_kwh
from openleg.money import round_chf

_PERCENT = Decimal("0.1")


def percent(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(_PERCENT, rounding=ROUND_HALF_UP))


def kwh(wh: int) -> str:
    return str(wh_to_kwh(int(wh)))


def figures(flows: Flows, window: slice) -> dict:
    consumption, production = int(flows.consumption[window].sum()), int(flows.production[window].sum())
    shared, feed_in = int(flows.shared[window].sum()), int(flows.feed_in[window].sum())
    surplus_slots = int(np.count_nonzero(flows.production[window] > flows.consumption[window]))
    peak_wh = int(flows.feed_in[window].max(initial=0))
    return {
        "consumption_kwh": kwh(consumption),
        "production_kwh": kwh(production),
        "shared_kwh": kwh(shared),
        "surplus_kwh": kwh(feed_in),
        "leg_share_percent": percent(shared, consumption),
        "self_supply_percent": percent(production - feed_in, production),
        "surplus_hours": str(Decimal(surplus_slots) / 4),
        "feed_in_peak_kw": str(wh_to_kwh(peak_wh * 4)),
    }


def monthly(flows: Flows, year: int) -> list[dict]:
    ends = [*flows.month_starts[1:], len(flows.consumption)]
    months = []
    for number, (start, end, has_data) in enumerate(
        zip(flows.month_starts, ends, flows.month_has_data, strict=True), start=1
    ):
        entry = {"month": f"{year}-{number:02d}", "data": has_data}
        if has_data:
            entry.update(figures(flows, slice(start, end)))
        else:
            entry["reason"] = _("Für diesen Monat sind keine Messwerte gespeichert.")
        months.append(entry)
    return months


def grid_saving_chf(shared_wh: int, *, grid_usage_rp_kwh: Decimal | None, reduction_rate: Decimal) -> Decimal | None:
    """The grid-tariff reduction on LEG energy, as on the invoices (``billing.calculation``): kWh × tariff × rate."""
    if grid_usage_rp_kwh is None:
        return None
    return round_chf(Decimal(int(shared_wh)) / 1000 * grid_usage_rp_kwh / 100 * reduction_rate)
