"""Today's community flows over a stored year, and the same year rerun with more PV and/or a community battery.

Each month is allocated by the billing's own engine (``billing.allocation.allocate``) with the method and keys the
billing uses that month. More PV: ``add_pv_kwp`` is added to one producer, scaled by its measured profile (added
Wh per quarter-hour = measured Wh × added kWp / installed kWp, rounded half up). The battery
(``api.b2b.figures.battery``) runs over the whole year in order; its discharge joins the allocation as one more
producer, and what it charged no longer reaches the grid.
"""

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from api.b2b.figures.battery import Battery, BatteryRun, run_battery
from api.b2b.figures.stored_year import StoredMonth, StoredYear
from billing.allocation import allocate

_MILLI = 1000


@dataclass(frozen=True)
class ExtraPv:
    producer_id: int
    add_kwp: Decimal
    installed_kwp: Decimal

    def scaled(self, measured: np.ndarray | int) -> np.ndarray | int:
        """Measured Wh with the added PV: measured × (1 + added / installed), the added part rounded half up."""
        added, installed = int(self.add_kwp * _MILLI), int(self.installed_kwp * _MILLI)
        return measured + (measured * added + installed // 2) // installed


@dataclass(frozen=True, eq=False)
class Flows:
    """Community totals per quarter-hour of the year, Wh; ``month_starts`` cuts them into months."""

    consumption: np.ndarray
    production: np.ndarray  # the producers' (PV) production, with any added PV; not the battery
    shared: np.ndarray  # LEG energy the consumers received (from producers and battery)
    feed_in: np.ndarray  # energy fed into the grid beyond the LEG (and beyond what the battery took)
    month_starts: list[int]
    month_has_data: list[bool]
    battery: BatteryRun | None = None

    def __add__(self, other: "Flows") -> "Flows":
        """Two communities' flows summed quarter-hour by quarter-hour (a municipality in aggregate)."""
        return Flows(
            self.consumption + other.consumption,
            self.production + other.production,
            self.shared + other.shared,
            self.feed_in + other.feed_in,
            self.month_starts,
            [a or b for a, b in zip(self.month_has_data, other.month_has_data, strict=True)],
        )


def flows(year: StoredYear, *, extra_pv: ExtraPv | None = None, battery: Battery | None = None) -> Flows:
    productions = [_with_extra_pv(month, extra_pv) for month in year.months]
    consumption = _year_vector(year, [month.consumption.sum(axis=0) for month in year.months])
    production = _year_vector(year, [p.sum(axis=0) for p in productions])
    run = run_battery(battery, production - consumption) if battery else None
    shared = np.zeros(year.slots, np.int64)
    for month, month_production in zip(year.months, productions, strict=True):
        window = slice(month.start, month.start + month.slots)
        if run is not None:
            month_production = np.vstack([month_production, run.discharge[window]])
        shared[window] = _shared(month, month_production)
    feed_in = production - shared
    if run is not None:
        feed_in += run.discharge - run.charge
    return Flows(
        consumption,
        production,
        shared,
        feed_in,
        [month.start for month in year.months],
        [month.has_data for month in year.months],
        run,
    )


def _shared(month: StoredMonth, production: np.ndarray) -> np.ndarray:
    if not month.consumption.shape[0] or not production.shape[0]:
        return np.zeros(month.slots, np.int64)
    allocation = allocate(month.consumption, production, method=month.method, keys=month.keys, ranks=month.ranks)
    return allocation.allocated.sum(axis=0)


def _with_extra_pv(month: StoredMonth, extra_pv: ExtraPv | None) -> np.ndarray:
    if extra_pv is None or extra_pv.producer_id not in month.producer_ids:
        return month.production
    production = month.production.copy()
    row = month.producer_ids.index(extra_pv.producer_id)
    production[row] = extra_pv.scaled(production[row])
    return production


def _year_vector(year: StoredYear, parts: list[np.ndarray]) -> np.ndarray:
    vector = np.zeros(year.slots, np.int64)
    for month, part in zip(year.months, parts, strict=True):
        if part.size:
            vector[month.start : month.start + month.slots] = part
    return vector
