"""The portal and the admin lists show capacities, prices, amounts and percentages in the rule of openleg.formats."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from communities.models import MeteringPoint
from tests.accounts.factories import UtilityUserFactory

pytestmark = pytest.mark.django_db


def cells(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").split())


def test_the_portal_community_page_shows_one_number_format(client, sonnenberg):
    MeteringPoint.objects.filter(memberships__participant__community=sonnenberg, connection_capacity_kw=40).update(
        connection_capacity_kw=Decimal("1500.250")
    )
    client.force_login(UtilityUserFactory(utility=sonnenberg.utility))

    text = cells(client.get(reverse("portal:community", args=[sonnenberg.pk])).content.decode())

    assert "Reduktion Netznutzung 40.0 %" in text
    assert "(1'500.25 kW, 60 kWp)" in text and "(25 kW)" in text
    assert "1 01.01.2026 – 18.50 11.00" in text
    assert "Verwaltungsgebühr: CHF 2.50 pro Monat" in text
    # no "25,000", "18.5000" or "150.000 kW"
    assert re.search(r"\d,\d{3}\b|(?<![\d.])\d+\.\d{4}\b|\d\.000 kW", text) is None


def test_the_portal_shows_the_start_day_and_the_reduction_with_one_decimal(client, sonnenberg):
    client.force_login(UtilityUserFactory(utility=sonnenberg.utility))
    text = cells(client.get(reverse("portal:home")).content.decode())
    assert "Entwurf ab 01.01.2026 weiter: Teilnehmende vollständig 12 kein Lauf" in text
    text = cells(client.get(reverse("portal:community", args=[sonnenberg.pk])).content.decode())
    assert "Reduktion Netznutzung 40.0 %" in text


def test_admin_lists_show_prices_and_capacities_as_they_carry(staff, sonnenberg):
    tariffs = cells(staff.get(reverse("admin:communities_tariff_changelist")).content.decode())
    assert "01.01.2026 - 18.50 11.00" in tariffs
    assert "18.5000" not in tariffs

    point = "CH1009991234500000100000000000001"
    points = staff.get(reverse("admin:communities_meteringpoint_changelist"), {"q": point})
    assert '<td class="field-connection_capacity_kw">40</td><td class="field-installed_capacity_kwp">60</td>' in (
        points.content.decode()
    )
