"""A small community with one stored day (10 June 2025, Europe/Zurich), imported through the real importer.

Wh per quarter-hour in the first five quarter-hours of the day (all others 0):

    slot  consumer A1  consumer A2  producer A3 (10 kWp)
    0         1000         3000          0
    1         1000         1000       4000
    2         2000         2000       2000
    3            0            0      10000
    4          500         3000       2000
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from api.b2b.scope import ClientScope
from metering.sdat_writer import SdatSeries, write_e66
from metering.services import meter_file_import
from openleg.periods import local_day
from tests.communities.factories import CommunityFactory, MembershipFactory, MeteringPointFactory
from tests.pipeline.factories import MunicipalityFactory, UtilityFactory

DAY = date(2025, 6, 10)
CONSUMER_1 = [1000, 1000, 2000, 0, 500]
CONSUMER_2 = [3000, 1000, 2000, 0, 3000]
PRODUCER = [0, 4000, 2000, 10000, 2000]


def store_community(*, vnb_number: str, municipality, grid_usage=Decimal("9.5000"), producer_kwp=Decimal("10")):
    utility = UtilityFactory(vnb_number=vnb_number, grid_usage_rp_kwh=grid_usage)
    community = CommunityFactory(utility=utility, municipality=municipality, reduction_percent=40)
    period = local_day(DAY)
    series, participants = [], []
    for number, (role, direction, values, kwp) in enumerate(
        [
            ("consumer", "consumption", CONSUMER_1, Decimal(0)),
            ("consumer", "consumption", CONSUMER_2, Decimal(0)),
            ("producer", "production", PRODUCER, producer_kwp),
        ],
        start=1,
    ):
        point = MeteringPointFactory(
            mp_id=f"CH{vnb_number}12345{number:020d}", utility=utility, installed_capacity_kwp=kwp
        )
        membership = MembershipFactory(
            metering_point=point,
            participant__community=community,
            participant__role=role,
            participant__customer_number=f"A{number}",
            valid_from=date(2025, 1, 1),
        )
        participants.append(membership.participant)
        padded = values + [0] * (period.quarter_hours - len(values))
        series.append(SdatSeries(point.mp_id, direction, "total", period.start, padded))
    data = write_e66(series, document_id=f"GRID-{vnb_number}", created=datetime(2025, 7, 1, tzinfo=UTC))
    assert meter_file_import(data=data, filename=f"grid-{vnb_number}.xml", actor=None, door="command").ok
    return community, participants


@pytest.fixture
def municipality(db):
    return MunicipalityFactory(bfs_number=261, name="Zürich", canton="ZH")


@pytest.fixture
def stored(municipality):
    """(community, [consumer A1, consumer A2, producer A3], the community's client scope)."""
    community, participants = store_community(vnb_number="100555", municipality=municipality)
    return community, participants, ClientScope(utility_id=community.utility_id)
