from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from tests.metering.conftest import FIXTURES, leg  # noqa: F401  (the sample community)


@pytest.fixture
def sample_month(leg):  # noqa: F811
    """The SDAT LEG sample (15 June 2026, consumer and producer with the VNB's split) and a tariff."""
    from communities.models import Tariff

    Tariff.objects.create(
        community=leg,
        version=1,
        valid_from=date(2026, 1, 1),
        consumer_price_rp_kwh=Decimal("20.0000"),
        producer_price_rp_kwh=Decimal("12.0000"),
    )
    call_command("import_meter_data", str(FIXTURES / "sdat-e66-v16-leg-2mp.xml"), verbosity=0)
    return leg


@pytest.fixture
def march_community(db):
    """Three consumers, a prosumer and a producer with a full March 2026 (DST month) of data and a ToU tariff."""
    from datetime import UTC, datetime, time

    import numpy as np

    from communities import services as community_services
    from communities.models import Door
    from metering.sdat_writer import SdatSeries, write_e66
    from metering.services import meter_file_import
    from openleg.periods import local_month
    from tests.communities.factories import CommunityFactory, MembershipFactory, MeteringPointFactory
    from tests.pipeline.factories import UtilityFactory

    utility = UtilityFactory(vnb_number="100777", grid_usage_rp_kwh=Decimal("9.0000"))
    community = CommunityFactory(
        utility=utility, slug="maerz", vat_number="", status="active", start_date=date(2026, 1, 1)
    )
    community_services.tariff_create(
        community=community,
        valid_from=date(2026, 1, 1),
        consumer_price_rp_kwh=Decimal("18.5"),
        producer_price_rp_kwh=Decimal("11"),
        actor=None,
        door=Door.COMMAND,
        windows=[
            {
                "label": "Hochtarif",
                "weekdays": "12345",
                "start_time": time(7),
                "end_time": time(20),
                "consumer_price_rp_kwh": Decimal("22.5"),
                "producer_price_rp_kwh": Decimal("13"),
            }
        ],
        fees=[{"label": "Verwaltungsgebühr", "amount_chf": Decimal("2.50"), "basis": "month"}],
    )
    period = local_month(2026, 3)
    rng = np.random.default_rng(3)
    series = []
    for number, role in enumerate(["consumer", "consumer", "consumer", "prosumer", "producer"], start=1):
        point = MeteringPointFactory(mp_id=f"CH10077712345{number:020d}", utility=utility)
        MembershipFactory(
            metering_point=point,
            participant__community=community,
            participant__role=role,
            participant__customer_number=f"M{number}",
            valid_from=date(2026, 1, 1),
        )
        if role != "producer":
            series.append(
                SdatSeries(
                    point.mp_id,
                    "consumption",
                    "total",
                    period.start,
                    rng.integers(0, 400, period.quarter_hours).tolist(),
                )
            )
        if role != "consumer":
            series.append(
                SdatSeries(
                    point.mp_id,
                    "production",
                    "total",
                    period.start,
                    rng.integers(0, 900, period.quarter_hours).tolist(),
                )
            )
    data = write_e66(series, document_id="MAERZ", created=datetime(2026, 4, 1, tzinfo=UTC))
    assert meter_file_import(data=data, filename="maerz.xml", actor=None, door=Door.COMMAND).ok
    return community
