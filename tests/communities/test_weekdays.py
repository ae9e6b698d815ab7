from datetime import time
from decimal import Decimal

import pytest

from communities.weekdays import weekdays_in_words
from tests.communities.factories import TariffFactory


@pytest.mark.parametrize(
    ("digits", "words"),
    [
        ("12345", "Montag bis Freitag"),
        ("67", "Samstag und Sonntag"),
        ("1234567", "täglich"),
        ("3", "Mittwoch"),
        ("12", "Montag und Dienstag"),
        ("135", "Montag, Mittwoch und Freitag"),
        ("12357", "Montag bis Mittwoch, Freitag und Sonntag"),
        ("123567", "Montag bis Mittwoch und Freitag bis Sonntag"),
        ("12367", "Montag bis Mittwoch, Samstag und Sonntag"),
        ("54321", "Montag bis Freitag"),
        ("113", "Montag und Mittwoch"),
    ],
)
def test_weekdays_read_as_words(digits, words):
    assert weekdays_in_words(digits) == words


def high_tariff(tariff, *, weekdays: str):
    return tariff.windows.create(
        label="Hochtarif",
        weekdays=weekdays,
        start_time=time(7),
        end_time=time(20),
        consumer_price_rp_kwh=Decimal("22.5"),
        producer_price_rp_kwh=Decimal("13"),
    )


@pytest.mark.django_db
def test_a_tariff_window_names_its_days_in_words():
    window = high_tariff(TariffFactory(), weekdays="12345")

    assert window.weekdays_in_words == "Montag bis Freitag"
    assert str(window) == "Hochtarif Montag bis Freitag 07:00–20:00"
