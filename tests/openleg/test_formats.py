from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from openleg.formats import (
    format_chf,
    format_chf_text,
    format_day,
    format_key_weight,
    format_kw,
    format_kwh,
    format_kwh_of_mwh,
    format_kwh_value,
    format_moment,
    format_percent,
    format_price,
    format_quantity,
    format_quantity_number,
    format_rp_per_kwh,
    format_span,
    format_unit_price,
    swiss_number,
    swiss_number_at_least,
)


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Decimal("1234.5"), 2, "1'234.50"),
        (Decimal("1234567.891"), 3, "1'234'567.891"),
        (Decimal("-0.001"), 2, "0.00"),
        (Decimal("-0.004"), 2, "0.00"),
        (Decimal("34.28"), 1, "34.3"),
        (Decimal("0.125"), 2, "0.13"),  # half away from zero, not half-even
        (Decimal("-0.125"), 2, "-0.13"),
        (0, 3, "0.000"),
        (Decimal("-1234.5"), 1, "-1'234.5"),
        (999, 0, "999"),
        (1000, 0, "1'000"),
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


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1234.5"), "1'234.50"),
        (Decimal("-111.070000000000"), "-111.07"),
        (Decimal("2.5"), "2.50"),
        (Decimal("0.005"), "0.01"),
        (Decimal("-0.004"), "0.00"),
        (Decimal("-1234567.891"), "-1'234'567.89"),
    ],
)
def test_chf_is_always_to_the_rappen(amount, text):
    assert format_chf(amount) == text
    assert format_chf_text(amount) == f"CHF {text}"


@pytest.mark.parametrize(
    ("price", "text"),
    [
        (Decimal("18.5000"), "18.50"),
        (Decimal("22.1250"), "22.125"),
        (Decimal("7"), "7.00"),
        (Decimal("0.0125"), "0.0125"),
    ],
)
def test_prices_keep_the_precision_they_carry(price, text):
    assert format_price(price) == text
    assert format_rp_per_kwh(price) == f"{text} Rp./kWh"


def test_energy_in_kwh_has_three_decimals():
    assert [format_kwh(wh) for wh in (3_613_200, 5, 0, -1500)] == ["3'613.200", "0.005", "0.000", "-1.500"]
    assert format_kwh_value(Decimal("3613.2")) == "3'613.200"
    assert format_kwh_value(Decimal("-0.0004")) == "0.000"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("25.000"), "25"),
        (Decimal("150.000"), "150"),
        (Decimal("12.500"), "12.5"),
        (Decimal("1500.250"), "1'500.25"),
    ],
)
def test_power_shows_as_the_value_carries_it(value, text):
    assert format_kw(value) == text


def test_percent_and_keys():
    assert format_percent(Decimal(40)) == "40.0 %"
    assert format_percent(Decimal("0")) == "0.0 %"
    assert format_percent(Decimal("12.25")) == "12.3 %"
    assert format_key_weight(Decimal("0.250000")) == "0.25"
    assert format_key_weight(Decimal("0.333333")) == "0.333333"


def test_days_and_moments_are_europe_zurich():
    assert format_day(date(2026, 12, 7)) == "07.12.2026"
    assert format_moment(datetime(2026, 12, 7, 13, 5, tzinfo=UTC)) == "07.12.2026 14:05"  # CET
    assert format_moment(datetime(2026, 7, 3, 8, 0, tzinfo=UTC)) == "03.07.2026 10:00"  # CEST
    assert format_day(datetime(2026, 3, 31, 22, 30, tzinfo=UTC)) == "01.04.2026"  # already April in Zurich
    with pytest.raises(ValueError, match="naive"):
        format_moment(datetime(2026, 12, 7, 14, 5))  # noqa: DTZ001


def test_the_filters_are_builtins_of_every_template():
    template = Template(
        "{{ a|chf }}|{{ a|chf_text }}|{{ p|rappen }}|{{ p|rp_per_kwh }}|{{ e|kwh }}|{{ wh|wh_as_kwh }}|{{ c|kw }}|"
        "{{ s|percent }}|{{ t|moment }}|{{ t|day }}|{{ missing|chf }}"
    )
    context = {
        "a": Decimal("-111.070000000000"),
        "p": Decimal("18.5000"),
        "e": Decimal("3613.2"),
        "wh": 1234,
        "c": Decimal("25.000"),
        "s": Decimal(40),
        "t": datetime(2026, 12, 7, 13, 5, tzinfo=UTC),
        "missing": None,
    }
    assert template.render(Context(context)) == (
        "-111.07|CHF -111.07|18.50|18.50 Rp./kWh|3'613.200|1.234|25|40.0 %|07.12.2026 14:05|07.12.2026|–"
    )


def test_moments_from_iso_text_and_spans():
    assert format_moment("2026-02-28T23:00:00Z") == "01.03.2026 00:00"
    span = format_span("2026-03-01T00:00:00Z", datetime(2026, 3, 2, tzinfo=UTC))
    assert span == "01.03.2026 01:00 – 02.03.2026 01:00"
    assert format_kwh_of_mwh(1_023_114_499) == "1'023.114"
    assert format_kwh_of_mwh(-500) == "-0.001"


def test_line_quantities_and_unit_prices():
    assert format_quantity(Decimal("3613.200"), "kWh") == "3'613.200 kWh"
    assert format_quantity(Decimal("1.000"), "Monat") == "1 Monat"
    assert format_quantity_number(Decimal("7.026"), "kWh") == "7.026"
    assert format_unit_price(Decimal("22.1250"), "kWh") == "22.125 Rp./kWh"
    assert format_unit_price(Decimal("2.5000"), "Monat") == "CHF 2.50"
