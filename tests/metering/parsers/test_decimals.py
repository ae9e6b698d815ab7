from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metering.parsers.cells import Cells
from metering.parsers.decimals import NumberStatus, kwh_text, parse_decimals


@pytest.mark.parametrize(
    "text, micro, status",
    [
        ("0.065", 65_000, NumberStatus.OK),
        ("13.60775", 13_607_750, NumberStatus.OK),
        (" 1.5 ", 1_500_000, NumberStatus.OK),
        ("-0.2", -200_000, NumberStatus.OK),
        (".5", 500_000, NumberStatus.OK),
        ("5.", 5_000_000, NumberStatus.OK),
        ("0.1234560", 123_456, NumberStatus.OK),  # trailing zeros beyond six decimals lose nothing
        ("999999999.999999", 999_999_999_999_999, NumberStatus.OK),
        ("", 0, NumberStatus.EMPTY),
        ("   ", 0, NumberStatus.EMPTY),
        ("0.1234567", 0, NumberStatus.TOO_PRECISE),
        ("1234567890", 0, NumberStatus.TOO_LARGE),
        ("abc", 0, NumberStatus.NOT_A_NUMBER),
        ("1,5", 0, NumberStatus.NOT_A_NUMBER),
        ("1 5", 0, NumberStatus.NOT_A_NUMBER),
        ("1.2.3", 0, NumberStatus.NOT_A_NUMBER),
        ("1-", 0, NumberStatus.NOT_A_NUMBER),
        ("-", 0, NumberStatus.NOT_A_NUMBER),
        ("1e3", 0, NumberStatus.NOT_A_NUMBER),
        ("nan", 0, NumberStatus.NOT_A_NUMBER),
        ("1'234.5", 0, NumberStatus.NOT_A_NUMBER),
    ],
)
def test_decimal_points(text, micro, status):
    parsed = parse_decimals(Cells.from_texts([text]))
    assert (int(parsed.micro[0]), NumberStatus(parsed.status[0])) == (micro, status)


def test_decimal_comma_accepts_only_the_comma():
    parsed = parse_decimals(Cells.from_texts(["0,088", "0.088", "12,5"]), decimal_comma=True)
    assert parsed.micro.tolist() == [88_000, 0, 12_500_000]
    assert parsed.status.tolist() == [NumberStatus.OK, NumberStatus.NOT_A_NUMBER, NumberStatus.OK]


@given(
    st.decimals(
        min_value=Decimal("-999999999.999999"),
        max_value=Decimal("999999999.999999"),
        places=6,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_any_six_decimal_kwh_value_is_exact_in_mwh(value):
    text = f"{value:f}"
    parsed = parse_decimals(Cells.from_texts([text]))
    assert parsed.status[0] == NumberStatus.OK
    assert int(parsed.micro[0]) == int(value * 1_000_000)


@given(st.lists(st.integers(min_value=0, max_value=10**12), max_size=50))
def test_a_column_parses_like_each_cell_alone(mwh):
    texts = [kwh_text(value) for value in mwh]
    assert parse_decimals(Cells.from_texts(texts)).micro.tolist() == mwh


@pytest.mark.parametrize(
    "mwh, text",
    [(13_607_750, "13.60775"), (65_000, "0.065"), (0, "0.000"), (-5, "-0.000005"), (1_000_001, "1.000001")],
)
def test_kwh_text_shows_every_mwh(mwh, text):
    assert kwh_text(mwh) == text


@given(st.lists(st.text(alphabet="0123456789.,- a", max_size=12), max_size=30), st.booleans())
def test_the_quick_path_for_plain_columns_agrees_with_the_full_parser(texts, comma):
    quick = parse_decimals(Cells.from_texts(texts), decimal_comma=comma)
    # a signed value with a blank is beyond the quick path, so the whole column takes the full one
    full = parse_decimals(Cells.from_texts([*texts, " -1"]), decimal_comma=comma)
    assert (quick.micro.tolist(), quick.status.tolist()) == (
        full.micro.tolist()[:-1],
        full.status.tolist()[:-1],
    )
