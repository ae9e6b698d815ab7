"""A community's stored year, read the way the billing reads a month: per Europe/Zurich month the members'
quarter-hours (Wh, only while they are members) and the allocation method and keys in force that month.

Few queries for the whole year: the memberships, the allocation settings with their keys, and the day rows.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.db.models import Q

from billing.gathering import _active_slots, _allocation, _to_wh
from billing.models import AllocationSetting
from communities.models import Community, Membership
from metering.parsers.base import Quality
from metering.selectors import series_for_long_period
from openleg.periods import Period, local_day, local_month


@dataclass(frozen=True, eq=False)
class StoredMonth:
    """One month as the billing allocates it: consumers × slots and producers × slots, Wh."""

    start: int  # first slot of the month in the year
    consumption: np.ndarray
    production: np.ndarray
    consumer_ids: list[int]
    producer_ids: list[int]
    method: str
    keys: list[Decimal] | None
    ranks: list[int] | None
    has_data: bool  # some member has at least one stored value this month

    @property
    def slots(self) -> int:
        return self.consumption.shape[1]


@dataclass(frozen=True, eq=False)
class StoredYear:
    year: int
    slots: int
    months: list[StoredMonth]
    installed_kwp: dict[int, Decimal]  # producer participant id -> kWp of its (latest) metering point
    grid_usage_rp_kwh: Decimal | None
    reduction_rate: Decimal

    @property
    def has_data(self) -> bool:
        return any(month.has_data for month in self.months)

    def peak_production(self, producer_id: int) -> int:
        """The most Wh the producer produced in one quarter-hour of the year."""
        return max(
            (
                int(month.production[month.producer_ids.index(producer_id)].max(initial=0))
                for month in self.months
                if producer_id in month.producer_ids
            ),
            default=0,
        )

    def production_by_producer(self) -> dict[int, int]:
        """Wh each producer produced in the year."""
        totals: dict[int, int] = {}
        for month in self.months:
            for row, pid in enumerate(month.producer_ids):
                totals[pid] = totals.get(pid, 0) + int(month.production[row].sum())
        return totals


def local_year(year: int) -> Period:
    return Period(local_month(year, 1).start, local_month(year, 12).end)


def load_year(community: Community, year: int) -> StoredYear:
    period = local_year(year)
    days = [date(year, 1, 1) + timedelta(days=n) for n in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]
    day_of_slot = np.repeat(np.arange(len(days)), [local_day(day).quarter_hours for day in days])
    memberships = list(
        Membership.objects.filter(participant__community=community, valid_from__lte=days[-1])
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=days[0]))
        .select_related("participant", "metering_point")
        .order_by("participant__customer_number", "pk")
    )
    settings = list(
        AllocationSetting.objects.filter(community=community, effective_from__lte=days[-1])
        .order_by("-effective_from")
        .prefetch_related("keys")
    )
    stored = series_for_long_period(metering_point_ids={m.metering_point_id for m in memberships}, period=period)
    # Per membership and direction the year's Wh, zero outside the membership (as billing.gathering does).
    series: list[tuple[Membership, str, np.ndarray, np.ndarray]] = []
    for membership in memberships:
        active = _active_slots(membership, days, day_of_slot)
        participant = membership.participant
        for direction, wanted in (("consumption", participant.consumes), ("production", participant.produces)):
            found = stored.get((membership.metering_point_id, direction, "total"))
            if wanted and found is not None:
                delivered = active & (found.quality != Quality.MISSING)
                series.append((membership, direction, np.where(active, _to_wh(found.values), 0), delivered))
    months = []
    for month in range(1, 13):
        first, following = date(year, month, 1), (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1))
        start, end = np.searchsorted(day_of_slot, [days.index(first), (following - days[0]).days])
        members = [m for m in memberships if m.valid_from < following and (m.valid_to is None or m.valid_to >= first)]
        months.append(_month(members, series, settings, first, int(start), int(end)))
    installed = {
        m.participant_id: m.metering_point.installed_capacity_kwp
        for m in sorted(memberships, key=lambda m: m.valid_from)  # the latest membership's point wins
        if m.participant.produces
    }
    return StoredYear(
        year=year,
        slots=period.quarter_hours,
        months=months,
        installed_kwp=installed,
        grid_usage_rp_kwh=community.utility.grid_usage_rp_kwh,
        reduction_rate=community.reduction_rate,
    )


def _month(members, series, settings, first: date, start: int, end: int) -> StoredMonth:
    participants = list(dict.fromkeys(m.participant for m in members))
    consumers = [p for p in participants if p.consumes]
    producers = [p for p in participants if p.produces]
    row_of = {
        "consumption": {p.pk: row for row, p in enumerate(consumers)},
        "production": {p.pk: row for row, p in enumerate(producers)},
    }
    consumption = np.zeros((len(consumers), end - start), np.int64)
    production = np.zeros((len(producers), end - start), np.int64)
    has_data = False
    member_ids = {m.pk for m in members}
    for membership, direction, values, delivered in series:
        if membership.pk in member_ids:
            target = consumption if direction == "consumption" else production
            target[row_of[direction][membership.participant_id]] += values[start:end]
            has_data |= bool(delivered[start:end].any())
    setting = next((s for s in settings if s.effective_from <= first), None)
    consumes = np.array([p.consumes for p in participants], bool)
    method, keys, ranks, _snapshot = _allocation(setting, participants, consumes, [])
    return StoredMonth(
        start=start,
        consumption=consumption,
        production=production,
        consumer_ids=[p.pk for p in consumers],
        producer_ids=[p.pk for p in producers],
        method=method,
        keys=keys,
        ranks=ranks,
        has_data=has_data,
    )
