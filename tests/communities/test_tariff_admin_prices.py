"""A tariff's prices read in the admin with the precision they carry (18.50, 22.125), never as stored (18.5000); a
used tariff, a record, still shows its windows and fees, read-only."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from communities.models import Tariff
from openleg.periods import utc_now
from tests.communities.factories import TariffFactory
from tests.communities.test_weekdays import high_tariff

pytestmark = pytest.mark.django_db


@pytest.fixture
def tariff():
    tariff = TariffFactory(
        valid_from=date(2026, 1, 1), consumer_price_rp_kwh=Decimal("18.5"), producer_price_rp_kwh=Decimal("11.125")
    )
    high_tariff(tariff, weekdays="12345")
    tariff.fees.create(label="Verwaltungsgebühr", amount_chf=Decimal("2.50"), basis="per_month")
    return tariff


def page_of(client, staff_user, tariff) -> str:
    client.force_login(staff_user)
    return client.get(reverse("admin:communities_tariff_change", args=[tariff.pk])).content.decode()


def test_an_editable_tariff_offers_its_prices_as_they_carry(client, staff_user, tariff):
    page = page_of(client, staff_user, tariff)

    assert 'name="consumer_price_rp_kwh" value="18.50"' in page
    assert 'name="producer_price_rp_kwh" value="11.125"' in page
    assert 'name="windows-0-consumer_price_rp_kwh" value="22.50"' in page
    assert "0000" not in page.replace('value="0000', "")


def test_a_used_tariff_shows_its_prices_windows_and_fees_read_only(client, staff_user, tariff):
    Tariff.objects.filter(pk=tariff.pk).update(used_at=utc_now())

    page = page_of(client, staff_user, tariff)

    assert '<div class="readonly">18.50</div>' in page
    assert '<div class="readonly">11.125</div>' in page
    assert "18.5000" not in page and "11.1250" not in page
    assert "Hochtarif" in page and "Montag bis Freitag" in page and "22.50" in page and "13.00" in page
    assert "Verwaltungsgebühr" in page and "2.50" in page
    assert 'name="windows-0-consumer_price_rp_kwh"' not in page
    assert 'name="valid_to"' in page
