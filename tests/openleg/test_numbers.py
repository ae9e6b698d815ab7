from decimal import Decimal

import pytest

from openleg.numbers import swiss_number, swiss_number_at_least


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Decimal("1234.5"), 2, "1'234.50"),
        (Decimal("1234567.891"), 3, "1'234'567.891"),
        (Decimal("-0.001"), 2, "0.00"),
        (Decimal("34.28"), 1, "34.3"),
        (0, 3, "0.000"),
        (Decimal("-1234.5"), 1, "-1'234.5"),
    ],
)
def test_swiss_number(value, places, text):
    assert swiss_number(value, places) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("22.125"), "22.125"), (Decimal("22.5000"), "22.50"), (Decimal("0.333333"), "0.333333")],
)
def test_swiss_number_keeps_decimals_the_value_has(value, text):
    assert swiss_number_at_least(value, 2) == text
