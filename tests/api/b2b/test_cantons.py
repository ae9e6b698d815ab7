"""A client with allowed cantons asks only about them; a question about all of Switzerland is refused too."""

import pytest

from tests.api.b2b.conftest import FIGURES_URL, STATUS_URL

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def test_an_allowed_canton_answers(test_endpoint, make_key, keyed):
    answer = keyed(make_key(allowed_cantons=["ZH", "AG"]).secret).get(FIGURES_URL, {"canton": "AG", "year": 2025})
    assert (answer.status_code, answer.json()["canton"]) == (200, "AG")


def test_another_canton_is_refused_naming_the_allowed_ones(test_endpoint, make_key, keyed):
    answer = keyed(make_key(allowed_cantons=["ZH", "AG"]).secret).get(FIGURES_URL, {"canton": "BE", "year": 2025})
    assert answer.status_code == 403
    assert answer.json()["error"] == {
        "code": "canton_not_allowed",
        "message": "Der Kanton BE ist für Ihren Zugang nicht freigegeben; erlaubt: AG, ZH.",
        "details": {"allowed_cantons": ["AG", "ZH"]},
    }


def test_all_of_switzerland_is_refused_to_a_restricted_client(test_endpoint, make_key, keyed):
    answer = keyed(make_key(allowed_cantons=["ZH"]).secret).get(FIGURES_URL, {"year": 2025})
    assert answer.status_code == 403
    assert answer.json()["error"] == {
        "code": "canton_not_allowed",
        "message": "Ihr Zugang gilt nur für die Kantone ZH; bitte einen davon angeben.",
        "details": {"allowed_cantons": ["ZH"]},
    }


def test_a_client_without_restriction_asks_about_anything(test_endpoint, make_key, keyed):
    client = keyed(make_key().secret)
    assert client.get(FIGURES_URL, {"canton": "TI", "year": 2025}).status_code == 200
    assert client.get(FIGURES_URL, {"year": 2025}).json()["canton"] is None


def test_status_is_no_regional_question(make_key, keyed):
    assert keyed(make_key(allowed_cantons=["ZH"]).secret).get(STATUS_URL).status_code == 200


def test_the_query_is_validated_before_the_canton(test_endpoint, make_key, keyed):
    answer = keyed(make_key(allowed_cantons=["ZH"]).secret).get(FIGURES_URL, {"canton": "BE", "year": 1900})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid"
    assert list(answer.json()["error"]["details"]["fields"]) == ["year"]


def test_an_unknown_canton_is_not_found(test_endpoint, make_key, keyed):
    answer = keyed(make_key().secret).get(FIGURES_URL, {"canton": "XX", "year": 2025})
    assert (answer.status_code, answer.json()["error"]) == (
        404,
        {"code": "not_found", "message": "Kanton «XX» gibt es nicht.", "details": {"object": "Kanton", "key": "XX"}},
    )


def test_an_empty_canton_is_refused_not_read_as_all_of_switzerland(test_endpoint, make_key, keyed):
    answer = keyed(make_key().secret).get(FIGURES_URL, {"canton": "", "year": 2025})
    assert (answer.status_code, list(answer.json()["error"]["details"]["fields"])) == (400, ["canton"])
