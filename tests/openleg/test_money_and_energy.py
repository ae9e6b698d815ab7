from decimal import Decimal

import pytest

from openleg.energy import kwh_to_wh, wh_to_kwh
from openleg.formats import format_chf, format_kwh, format_price
from openleg.money import energy_cost_chf, rappen_to_chf, round_chf


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [("0.005", "0.01"), ("2.345", "2.35"), ("2.344999", "2.34"), ("-2.345", "-2.35"), ("10", "10.00")],
)
def test_round_chf_is_half_up_to_the_rappen(amount, rounded):
    assert round_chf(Decimal(amount)) == Decimal(rounded)
    assert str(round_chf(Decimal(amount))) == rounded


def test_round_chf_refuses_floats():
    with pytest.raises(TypeError, match="CHF amounts must be Decimal, got float"):
        round_chf(0.1)


def test_energy_cost_is_exact_until_rounded():
    cost = energy_cost_chf(wh=1234, price_rp_per_kwh=Decimal("20.5"))
    assert cost == Decimal("0.25297")
    assert round_chf(cost) == Decimal("0.25")
    assert rappen_to_chf(Decimal("18.5")) == Decimal("0.185")


def test_energy_cost_needs_integer_wh():
    with pytest.raises(TypeError, match="energy must be integer Wh, got float"):
        energy_cost_chf(wh=1.5, price_rp_per_kwh=Decimal(20))


def test_kwh_and_wh_conversions():
    assert kwh_to_wh("7.026") == 7026
    assert kwh_to_wh(Decimal("0.001")) == 1
    assert wh_to_kwh(18359) == Decimal("18.359")
    assert str(wh_to_kwh(5)) == "0.005"
    with pytest.raises(ValueError, match=r"1.2345 kWh is not a whole number of Wh"):
        kwh_to_wh("1.2345")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("1234567.5", "1'234'567.50"),
        ("999.999", "1'000.00"),
        ("-1234.5", "-1'234.50"),
        ("-0.00", "0.00"),
        ("0.005", "0.01"),
        ("12", "12.00"),
    ],
)
def test_format_chf_has_two_decimals_and_swiss_apostrophes(amount, text):
    assert format_chf(Decimal(amount)) == text


@pytest.mark.parametrize(
    ("price", "text"),
    [("22.5000", "22.50"), ("22.1250", "22.125"), ("18", "18.00"), ("0.0001", "0.0001"), ("1234.5", "1'234.50")],
)
def test_format_price_keeps_the_decimals_a_price_has(price, text):
    assert format_price(Decimal(price)) == text


def test_format_kwh_has_three_decimals_and_swiss_apostrophes():
    assert [format_kwh(wh) for wh in (12345678, 5, 0, -1500)] == ["12'345.678", "0.005", "0.000", "-1.500"]
