"""From quarter-hour energy to a month's figures and money: pure numpy and Decimal, no Django.

Input is what ``billing.gathering`` read from the database; output is what ``billing.services``
writes. Energy stays integer Wh; money is Decimal CHF, rounded once per line with
``openleg.money.round_chf`` after the community total of that line has been fixed, so that the
participants' lines add up to the community's total to the Rappen.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from billing.allocation import allocate
from openleg.energy import wh_to_kwh
from openleg.money import RAPPEN, round_chf

PRICE_SCALE = 10_000  # prices are held as integer 1/10,000 Rp./kWh
_CHF_PER_WH_PRICE_UNIT = Decimal(1000 * 100 * PRICE_SCALE)  # Wh x (Rp./kWh x 10^4) -> CHF


@dataclass(frozen=True)
class PriceClass:
    """One price that applies to some quarter-hours: a tariff version's base price or one of its windows."""

    label: str
    consumer_price: int  # 1/10,000 Rp./kWh
    producer_price: int


@dataclass(frozen=True)
class Fee:
    label: str
    amount_chf: Decimal


@dataclass
class MonthInput:
    participant_ids: list[int]
    consumption: np.ndarray  # participants x quarter-hours, Wh (0 where not a member)
    production: np.ndarray  # participants x quarter-hours, Wh
    consumes: np.ndarray  # bool per participant
    produces: np.ndarray  # bool per participant
    day_of_slot: np.ndarray  # index of the local day of every quarter-hour
    days: int
    price_class_of_slot: np.ndarray  # index into price_classes, -1 where no tariff applies
    price_classes: list[PriceClass]
    fees: dict[int, list[Fee]]  # per participant
    method: str = "proportional"
    keys: list[Decimal] | None = None  # per consumer (in order of consuming participants)
    ranks: list[int] | None = None
    vat_rate: Decimal = Decimal(0)
    reduction_rate: Decimal = Decimal("0.40")
    grid_usage_rp_kwh: Decimal | None = None
    labels: dict[str, str] = field(default_factory=dict)  # statement texts in the user's language (billing.texts)


@dataclass
class Line:
    kind: str  # energy, credit, fee, vat, info
    label: str
    quantity_kwh: Decimal | None = None
    unit_price: Decimal | None = None
    amount_chf: Decimal | None = None
    unit: str = "kWh"


@dataclass
class MonthResult:
    allocated: np.ndarray  # participants x quarter-hours (0 for those who do not consume)
    delivered: np.ndarray
    daily: dict[str, np.ndarray] = field(default_factory=dict)  # figure -> participants x days, Wh
    lines: dict[int, list[Line]] = field(default_factory=dict)  # per participant id
    totals: dict[str, str] = field(default_factory=dict)


def split_rappen(exact: list[Decimal], total: Decimal) -> list[Decimal]:
    """Round each amount to the Rappen so that they add up to ``total``: largest remainder, ties to the first.

    ``total`` is the rounded community total; the residual of rounding each part goes, one Rappen at a
    time, to the parts whose exact amounts lost the most (or gained the least, for a negative residual).
    """
    floors = [amount.quantize(RAPPEN, rounding="ROUND_FLOOR") for amount in exact]
    remaining = int((total - sum(floors, Decimal(0))) / RAPPEN)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    if remaining < 0:
        order = sorted(range(len(exact)), key=lambda i: (exact[i] - floors[i], i))
    step = RAPPEN if remaining >= 0 else -RAPPEN
    for index in order[: abs(remaining)]:
        floors[index] += step
    return floors


def calculate(month: MonthInput) -> MonthResult:
    consumers = np.flatnonzero(month.consumes)
    producers = np.flatnonzero(month.produces)
    split = allocate(
        month.consumption[consumers],
        month.production[producers],
        method=month.method,
        keys=month.keys,
        ranks=month.ranks,
    )
    allocated = np.zeros_like(month.consumption)
    delivered = np.zeros_like(month.production)
    allocated[consumers] = split.allocated
    delivered[producers] = split.delivered
    result = MonthResult(allocated, delivered)
    result.daily = _daily(month, allocated, delivered)
    _money(month, result)
    return result


def _daily(month: MonthInput, allocated: np.ndarray, delivered: np.ndarray) -> dict[str, np.ndarray]:
    def per_day(values: np.ndarray) -> np.ndarray:
        out = np.zeros((values.shape[0], month.days), dtype=np.int64)
        np.add.at(out.T, month.day_of_slot, values.T)
        return out

    return {
        "consumption": per_day(month.consumption),
        "leg": per_day(allocated),
        "grid": per_day(month.consumption - allocated),
        "production": per_day(month.production),
        "delivered": per_day(delivered),
        "surplus": per_day(month.production - delivered),
    }


def _energy_by_class(month: MonthInput, energy: np.ndarray) -> np.ndarray:
    """participants x price classes: Wh in the quarter-hours of each class (slots without tariff dropped)."""
    out = np.zeros((energy.shape[0], len(month.price_classes)), dtype=np.int64)
    priced = month.price_class_of_slot >= 0
    np.add.at(out.T, month.price_class_of_slot[priced], energy[:, priced].T)
    return out


def _money(month: MonthInput, result: MonthResult) -> None:
    ids = month.participant_ids
    lines: dict[int, list[Line]] = {pid: [] for pid in ids}
    totals: dict[str, Decimal] = {}
    for kind, energy, price_of, sign, label in (
        ("energy", result.allocated, lambda c: c.consumer_price, 1, month.labels["energy"]),
        ("credit", result.delivered, lambda c: c.producer_price, -1, month.labels["credit"]),
    ):
        by_class = _energy_by_class(month, energy)
        for index, price_class in enumerate(month.price_classes):
            wh = by_class[:, index]
            if not wh.any():
                continue
            price = price_of(price_class)
            exact = [sign * Decimal(int(w) * price) / _CHF_PER_WH_PRICE_UNIT for w in wh]
            total = round_chf(sum(exact, Decimal(0)))
            rounded = split_rappen(exact, total)
            totals[kind] = totals.get(kind, Decimal(0)) + total
            for pid, w, amount in zip(ids, wh, rounded, strict=True):
                if w:
                    lines[pid].append(
                        Line(
                            kind,
                            f"{label} {price_class.label}".strip(),
                            wh_to_kwh(w),
                            Decimal(price) / PRICE_SCALE,
                            amount,
                            "kWh",
                        )
                    )
    for pid in ids:
        for fee in month.fees.get(pid, []):
            lines[pid].append(Line("fee", fee.label, None, None, fee.amount_chf, ""))
            totals["fee"] = totals.get("fee", Decimal(0)) + fee.amount_chf
    _vat_and_info(month, result, lines, totals)
    result.lines = lines
    result.totals = {key: str(value) for key, value in totals.items()}


def _vat_and_info(
    month: MonthInput, result: MonthResult, lines: dict[int, list[Line]], totals: dict[str, Decimal]
) -> None:
    daily, text = result.daily, month.labels
    for row, pid in enumerate(month.participant_ids):
        subtotal = sum((line.amount_chf for line in lines[pid] if line.amount_chf is not None), Decimal(0))
        if month.vat_rate:
            vat = round_chf(subtotal * month.vat_rate)
            lines[pid].append(Line("vat", text["vat"] % {"rate": f"{month.vat_rate * 100:.1f}"}, None, None, vat, ""))
            totals["vat"] = totals.get("vat", Decimal(0)) + vat
        consumption, leg = int(daily["consumption"][row].sum()), int(daily["leg"][row].sum())
        production, surplus = int(daily["production"][row].sum()), int(daily["surplus"][row].sum())
        if month.consumes[row]:
            share = (Decimal(leg) * 100 / consumption).quantize(Decimal("0.1")) if consumption else Decimal(0)
            lines[pid] += [
                Line("info", text["consumption"], wh_to_kwh(consumption)),
                Line("info", text["leg_share"] % {"share": share}, wh_to_kwh(leg)),
                Line("info", text["residual"], wh_to_kwh(consumption - leg)),
            ]
            if month.grid_usage_rp_kwh is not None and leg:
                saving = round_chf(Decimal(leg) / 1000 * month.grid_usage_rp_kwh / 100 * month.reduction_rate)
                lines[pid].append(
                    Line(
                        "info",
                        text["saving"] % {"rate": f"{month.reduction_rate * 100:.0f}"},
                        wh_to_kwh(leg),
                        month.grid_usage_rp_kwh,
                        saving,
                    )
                )
        if month.produces[row]:
            lines[pid] += [
                Line("info", text["production"], wh_to_kwh(production)),
                Line("info", text["surplus"], wh_to_kwh(surplus)),
            ]
