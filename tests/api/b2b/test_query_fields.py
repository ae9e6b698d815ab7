"""Query numbers exactly as the schema has them: plain ASCII digits (DRF alone takes "2025.0", " 2025", "2_025")."""

from decimal import Decimal

import pytest
from rest_framework import serializers

from api.b2b.query_fields import QueryCantonField, QueryDecimalField, QueryIntegerField
from api.errors import ApiError


@pytest.mark.parametrize("text", ["2025.0", " 2025", "2025 ", "+2025", "2_025", "２０２５", "", "2e3"])
def test_an_integer_is_plain_ascii_digits(text):
    with pytest.raises(serializers.ValidationError) as refused:
        QueryIntegerField().run_validation(text)
    assert refused.value.detail in (["Eine gültige Ganzzahl ist erforderlich."], ["Dieses Feld darf nicht leer sein."])


@pytest.mark.parametrize(("text", "value"), [("2025", 2025), ("-3", -3), ("007", 7)])
def test_plain_integers_pass(text, value):
    assert QueryIntegerField().run_validation(text) == value


@pytest.mark.parametrize("text", ["1_000", " 5", "5.", ".5", "1e3", "NaN", "Infinity", "５"])
def test_a_decimal_is_plain_ascii_digits_with_an_optional_point(text):
    with pytest.raises(serializers.ValidationError):
        QueryDecimalField(max_digits=8, decimal_places=2).run_validation(text)


def test_plain_decimals_pass():
    field = QueryDecimalField(max_digits=8, decimal_places=2)
    assert (field.run_validation("12.50"), field.run_validation("-3")) == (Decimal("12.50"), Decimal("-3"))


def test_a_canton_is_a_code_in_any_case_an_empty_one_no_question_about_all_and_an_unknown_one_not_found():
    field = QueryCantonField(required=False)
    with pytest.raises(serializers.ValidationError):
        field.run_validation("")
    with pytest.raises(ApiError) as unknown:
        field.run_validation("XX")
    assert (unknown.value.status, unknown.value.code, unknown.value.message) == (
        404,
        "not_found",
        "Kanton «XX» gibt es nicht.",
    )
    assert (field.run_validation("AG"), field.run_validation("zh")) == ("AG", "ZH")
    for text in (" ZH", "\x1f", "ZHX", "Z1"):  # not two letters: not what the schema's pattern allows
        with pytest.raises(serializers.ValidationError) as refused:
            field.run_validation(text)
        assert refused.value.detail == ["Bitte ein Kantonskürzel aus zwei Buchstaben angeben, z. B. ZH."]


def test_an_empty_optional_parameter_is_refused_not_dropped():
    from django.http import QueryDict

    class Query(serializers.Serializer):
        canton = QueryCantonField(required=False)
        year = QueryIntegerField(required=False)

    empty = Query(data=QueryDict("canton=&year="))
    assert (empty.is_valid(), sorted(empty.errors)) == (False, ["canton", "year"])
    absent = Query(data=QueryDict(""))
    assert (absent.is_valid(), absent.validated_data) == (True, {})
