"""The admin names a tariff window's days in words: seven labelled checkboxes, stored as the digits billing reads."""

import pytest
from django.urls import reverse

from communities.models import TariffWindow
from tests.communities.factories import TariffFactory
from tests.communities.test_weekdays import high_tariff

pytestmark = pytest.mark.django_db


def window_form(tariff, **window) -> dict:
    return {
        "community": tariff.community_id,
        "version": tariff.version,
        "valid_from": "2026-01-01",
        "consumer_price_rp_kwh": "20",
        "producer_price_rp_kwh": "12",
        "windows-TOTAL_FORMS": "1",
        "windows-INITIAL_FORMS": "0",
        "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "1000",
        "fees-TOTAL_FORMS": "0",
        "fees-INITIAL_FORMS": "0",
        "fees-MIN_NUM_FORMS": "0",
        "fees-MAX_NUM_FORMS": "1000",
        "windows-0-label": "Hochtarif",
        "windows-0-start_time": "07:00",
        "windows-0-end_time": "20:00",
        "windows-0-consumer_price_rp_kwh": "22.5",
        "windows-0-producer_price_rp_kwh": "13",
        "windows-0-tariff": tariff.pk,
        **window,
    }


def test_weekdays_are_chosen_by_name_and_stored_as_digits(client, staff_user):
    tariff = TariffFactory()
    client.force_login(staff_user)
    url = reverse("admin:communities_tariff_change", args=[tariff.pk])

    page = client.get(url).content.decode()
    assert "12345" not in page
    for name in ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"):
        assert f"\n {name}</label>" in page

    response = client.post(url, window_form(tariff, **{"windows-0-weekdays": ["6", "7"]}))

    assert response.status_code == 302
    assert TariffWindow.objects.get(tariff=tariff).weekdays == "67"


def test_a_stored_window_shows_its_days_ticked(client, staff_user):
    tariff = TariffFactory()
    high_tariff(tariff, weekdays="135")
    client.force_login(staff_user)

    page = client.get(reverse("admin:communities_tariff_change", args=[tariff.pk])).content.decode()

    ticked = [day for day in "1234567" if f'value="{day}" id="id_windows-0-weekdays_{int(day) - 1}" checked' in page]
    assert ticked == ["1", "3", "5"]


def test_a_window_without_days_is_refused_in_german(client, staff_user):
    tariff = TariffFactory()
    client.force_login(staff_user)

    response = client.post(reverse("admin:communities_tariff_change", args=[tariff.pk]), window_form(tariff))

    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    assert not TariffWindow.objects.filter(tariff=tariff).exists()
