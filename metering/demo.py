"""Demo meter data: March 2026 (a DST month) and June 2026 for every demo metering point.

The values are generated as SDAT-CH E66 files and loaded through the importer, so the demo
exercises the same path as a real delivery. Deterministic: loading twice changes nothing.
"""

from datetime import UTC, datetime

import numpy as np

from communities.models import Community, Door, ParticipantRole
from metering.sdat_writer import SdatSeries, write_e66
from metering.services import ImportOutcome, meter_file_import
from openleg.periods import ZURICH, local_month

DEMO_MONTHS = ((2026, 3), (2026, 6))
_PRODUCES = {ParticipantRole.PRODUCER, ParticipantRole.PROSUMER}
_CONSUMES = {ParticipantRole.CONSUMER, ParticipantRole.PROSUMER}


def _local_hours(year: int, month: int) -> np.ndarray:
    period = local_month(year, month)
    starts = np.arange(period.quarter_hours) * 900 + int(period.start.timestamp())
    offsets = np.array(
        [datetime.fromtimestamp(int(s), UTC).astimezone(ZURICH).utcoffset().total_seconds() for s in starts[::4]]
    ).repeat(4)[: len(starts)]
    return ((starts + offsets) % 86400) / 3600.0


def consumption_profile(rng: np.random.Generator, hours: np.ndarray, annual_kwh: float) -> np.ndarray:
    """Household-like load: base, a morning and an evening peak, noise; Wh per quarter-hour."""
    shape = 0.35 + 0.6 * np.exp(-((hours - 7.5) ** 2) / 2) + 1.0 * np.exp(-((hours - 19) ** 2) / 4)
    shape *= rng.uniform(0.7, 1.3, size=hours.size)
    wh_per_quarter = annual_kwh * 1000 / 35040
    return np.rint(shape / shape.mean() * wh_per_quarter).astype(np.int64)


def production_profile(rng: np.random.Generator, hours: np.ndarray, kwp: float, month: int) -> np.ndarray:
    """PV: a bell over daylight (longer in June), a cloudiness factor per day; Wh per quarter-hour."""
    half_day = 6.5 if month == 6 else 5.0
    sun = np.clip(np.cos((hours - 13.25) / half_day * np.pi / 2), 0, None) ** 1.5
    days = -(-hours.size // 96)
    cloud = np.repeat(rng.uniform(0.25, 1.0, size=days), 96)[: hours.size]
    peak_wh = kwp * 1000 * 0.25 * (0.78 if month == 6 else 0.55)
    return np.rint(sun * cloud * peak_wh).astype(np.int64)


def demo_files(community: Community, year: int, month: int) -> tuple[str, bytes]:
    hours = _local_hours(year, month)
    start = local_month(year, month).start
    series = []
    memberships = community.participants.order_by("customer_number").values_list(
        "customer_number",
        "role",
        "memberships__metering_point__mp_id",
        "memberships__metering_point__installed_capacity_kwp",
    )
    for customer_number, role, mp_id, kwp in memberships:
        rng = np.random.default_rng([int(customer_number), year, month])
        if role in _CONSUMES:
            annual = 4500 if role == ParticipantRole.CONSUMER else 5200
            series.append(
                SdatSeries(mp_id, "consumption", "total", start, consumption_profile(rng, hours, annual).tolist())
            )
        if role in _PRODUCES:
            series.append(
                SdatSeries(
                    mp_id, "production", "total", start, production_profile(rng, hours, float(kwp), month).tolist()
                )
            )
    document_id = f"DEMO-{community.slug or community.pk}-{year}{month:02d}"
    data = write_e66(series, document_id=document_id, created=datetime(year, month, 1, 3, tzinfo=UTC))
    return f"{document_id}_E66.xml", data


def load_demo_meter_data(communities) -> list[ImportOutcome]:
    outcomes = []
    for community in communities:
        for year, month in DEMO_MONTHS:
            filename, data = demo_files(community, year, month)
            outcomes.append(meter_file_import(data=data, filename=filename, actor=None, door=Door.COMMAND))
    return outcomes
