from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from tests.metering.conftest import FIXTURES, leg  # noqa: F401  (the sample community)


@pytest.fixture
def sample_month(leg):  # noqa: F811
    """The SDAT LEG sample (15 June 2026, consumer and producer with the VNB's split) and a tariff."""
    from communities.models import Tariff

    Tariff.objects.create(community=leg, version=1, valid_from=date(2026, 1, 1),
                          consumer_price_rp_kwh=Decimal("20.0000"), producer_price_rp_kwh=Decimal("12.0000"))
    call_command("import_meter_data", str(FIXTURES / "sdat-e66-v16-leg-2mp.xml"), verbosity=0)
    return leg
