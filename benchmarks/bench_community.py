"""A benchmark community with a month of quarter-hour data, built through the real importer.

Shared by the benchmarks that need a community of a given size (the billing run, the portal pages). Import it
after ``django.setup()``. The community is reused when the database has it already (the name is the key).

Members from 2026-01-01, one metering point each; a tariff with a high-tariff window (Mon–Fri 07:00–20:00) and a
monthly fee; VAT registered; a grid-usage tariff at the utility. The month is stored through the importer
(SDAT E66, ``metering.services.meter_file_import``) with the VNB's "leg" channel (its own proportional split) for
every series, so a run also reconciles day by day.
"""

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

import numpy as np

from billing.allocation import allocate
from openleg.periods import ZURICH, local_month


@dataclass(frozen=True)
class BenchShape:
    """Who is in the community and which month is loaded."""

    name: str
    vnb_number: str  # six digits; also makes the metering point ids of two bench communities differ
    consumers: int
    prosumers: int
    producers: int
    year: int = 2026
    month: int = 3

    @property
    def participants(self) -> int:
        return self.consumers + self.prosumers + self.producers

    def roles(self) -> list[str]:
        return ["consumer"] * self.consumers + ["prosumer"] * self.prosumers + ["producer"] * self.producers


def profiles(shape: BenchShape, period, seed: int = 2026) -> tuple[np.ndarray, np.ndarray]:
    """Wh per quarter-hour, participants x slots: households with morning and evening peaks; PV of 5–30 kWp."""
    rng = np.random.default_rng(seed)
    slots = period.quarter_hours
    participants = shape.participants
    starts = [period.start + timedelta(minutes=15 * n) for n in range(slots)]
    hour = np.array([(t.astimezone(ZURICH).hour * 60 + t.astimezone(ZURICH).minute) / 60 for t in starts])
    days = slots // 96 + 1
    curve = 0.6 + 0.6 * np.exp(-((hour - 7.5) ** 2) / 2) + 1.0 * np.exp(-((hour - 19) ** 2) / 3)
    mean_wh = rng.uniform(2_000_000, 8_000_000, (participants, 1)) / (365 * 96)
    consumption = mean_wh * curve / curve.mean() * rng.gamma(4, 1 / 4, (participants, slots))
    sun = np.clip(np.sin((hour - 6.5) / 12 * np.pi), 0, None)
    clouds = np.repeat(rng.uniform(0.2, 1.0, days), 96)[:slots] * rng.uniform(0.7, 1.0, slots)
    peak_wh = rng.uniform(5, 30, (participants, 1)) * 250
    production = peak_wh * sun * clouds
    consumption, production = np.rint(consumption).astype(np.int64), np.rint(production).astype(np.int64)
    roles = shape.roles()
    consumption[[r == "producer" for r in roles]] = 0
    production[[r == "consumer" for r in roles]] = 0
    return consumption, production


def bench_community(shape: BenchShape, *, utility=None):
    """The community of ``shape`` with its tariff and its month of data; reused if the database has it already.
    Its utility is a new one unless ``utility`` is given (bench_load puts it beside the demo's communities)."""
    from communities.models import Community
    from metering.services import meter_file_import
    from tests.pipeline.factories import UtilityFactory

    existing = Community.objects.filter(name=shape.name).first()
    if existing is not None:
        return existing
    started = time.perf_counter()
    utility = utility or UtilityFactory(vnb_number=shape.vnb_number, grid_usage_rp_kwh=Decimal("9.5000"))
    ids = metering_point_ids(shape.vnb_number, 0, shape.participants)
    community = community_with_members(shape, utility, ids)
    data = month_file(shape, ids, shape.year, shape.month)
    outcome = meter_file_import(
        data=data, filename=f"bench-{shape.vnb_number}-{shape.year}{shape.month:02d}.xml", actor=None, door="command"
    )
    assert outcome.ok, [f.message for f in outcome.errors]
    print(f"built {shape.name} ({shape.participants} participants) and imported its month "
          f"in {time.perf_counter() - started:.1f} s")
    return community


def metering_point_ids(vnb_number: str, first: int, count: int) -> list[str]:
    """``count`` metering point ids of the utility, numbered from ``first``."""
    return [f"CH{vnb_number}12345{n:020d}" for n in range(first, first + count)]


def community_with_members(shape: BenchShape, utility, ids: list[str]):
    """An active community of ``utility`` named ``shape.name``: one participant per id in the order of
    ``shape.roles()``, members from 2026-01-01, and the bench tariff."""
    from communities.models import Membership, MeteringPoint
    from communities.services import tariff_create
    from tests.communities.factories import CommunityFactory, ParticipantFactory

    community = CommunityFactory(
        utility=utility,
        name=shape.name,
        status="active",
        start_date=date(2026, 1, 1),
        vat_number="CHE-123.456.789 MWST",
        vnb_reference=f"{shape.vnb_number}-{shape.participants:06d}",
    )
    points = MeteringPoint.objects.bulk_create(
        [MeteringPoint(mp_id=mp_id, utility=utility, connection_capacity_kw=25) for mp_id in ids]
    )
    participants = [ParticipantFactory(community=community, role=role) for role in shape.roles()]
    Membership.objects.bulk_create(
        [
            Membership(metering_point=p, participant=q, valid_from=date(2026, 1, 1))
            for p, q in zip(points, participants, strict=True)
        ]
    )
    tariff_create(
        community=community,
        valid_from=date(2026, 1, 1),
        consumer_price_rp_kwh=Decimal("18.5000"),
        producer_price_rp_kwh=Decimal("11.0000"),
        actor=None,
        door="command",
        windows=[
            {
                "label": "Hochtarif",
                "weekdays": "12345",
                "start_time": clock(7),
                "end_time": clock(20),
                "consumer_price_rp_kwh": Decimal("22.7500"),
                "producer_price_rp_kwh": Decimal("13.2500"),
            }
        ],
        fees=[{"label": "Administration", "amount_chf": Decimal("4.50")}],
    )
    return community


def month_file(shape: BenchShape, ids: list[str], year: int, month: int, seed: int = 2026, document: str = "") -> bytes:
    """The SDAT E66 file of the community's month: total and the VNB's "leg" channel of every series; made on the
    5th of the following month."""
    from metering.sdat_writer import SdatSeries, write_e66

    period = local_month(year, month)
    consumption, production = profiles(shape, period, seed)
    consumers, producers = consumption.any(axis=1), production.any(axis=1)
    split = allocate(consumption[consumers], production[producers])  # the VNB's own split for the leg channel
    leg = np.zeros_like(consumption)
    delivered = np.zeros_like(production)
    leg[consumers], delivered[producers] = split.allocated, split.delivered
    series = []
    for row, mp_id in enumerate(ids):
        for direction, flag, total, share in (
            ("consumption", consumers[row], consumption, leg),
            ("production", producers[row], production, delivered),
        ):
            if flag:
                series.append(SdatSeries(mp_id, direction, "total", period.start, total[row].tolist()))
                series.append(SdatSeries(mp_id, direction, "leg", period.start, share[row].tolist()))
    created = datetime(year + month // 12, month % 12 + 1, 5, tzinfo=UTC)
    document = document or f"BENCH-{shape.vnb_number}-{year}{month:02d}"
    return write_e66(series, document_id=document, created=created)
