"""The generic door: addresses with and without slash, GET only, unknown endpoints, bad queries, the order of the
checks (a refused call spends nothing of the limits)."""

import pytest

from api.b2b.limits import usage
from tests.api.b2b.conftest import FIGURES_URL, STATUS_URL

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def test_a_registered_endpoint_answers_its_computed_figures(test_endpoint, make_key, keyed):
    answer = keyed(make_key().secret).get(FIGURES_URL, {"canton": "ZH", "year": "2025"})
    assert (answer.status_code, answer.json()) == (200, {"canton": "ZH", "year": 2025, "utility_id": None})


def test_with_and_without_a_trailing_slash(test_endpoint, make_key, keyed):
    client = keyed(make_key().secret)
    assert client.get(FIGURES_URL + "/", {"year": 2025}).status_code == 200
    assert client.get(STATUS_URL + "/").status_code == 200


def test_an_unknown_endpoint_is_404_for_a_key_and_401_without(make_key, keyed, client):
    answer = keyed(make_key().secret).get("/api/v1/insights")
    assert answer.status_code == 404
    assert answer.json()["error"] == {
        "code": "not_found", "message": "Den Endpunkt «insights» gibt es nicht.", "details": {"endpoint": "insights"}
    }
    assert client.get("/api/v1/insights/").status_code == 401


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_only_get(make_key, keyed, method):
    answer = getattr(keyed(make_key().secret), method)(STATUS_URL)
    assert (answer.status_code, answer.json()["error"]["code"]) == (405, "method_not_allowed")


def test_a_bad_query_answers_400_naming_the_fields(test_endpoint, make_key, keyed):
    answer = keyed(make_key().secret).get(FIGURES_URL, {"canton": "ZH", "year": "1990"})
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "invalid",
        "message": "Ungültige Angaben: year.",
        "details": {"fields": {"year": ["Stelle sicher, dass dieser Wert grösser oder gleich 2000 ist."]}},
    }


def test_refused_and_invalid_calls_spend_nothing_of_the_limits(test_endpoint, make_key, keyed):
    new = make_key(allowed_cantons=["ZH"])
    client = keyed(new.secret)
    client.get(FIGURES_URL, {"canton": "BE", "year": 2025})
    client.get(FIGURES_URL, {"canton": "ZH"})
    assert usage(new.key)["hourly"].calls == 0
    client.get(FIGURES_URL, {"canton": "ZH", "year": 2025})
    assert (usage(new.key)["hourly"].calls, usage(new.key)["daily"].calls) == (1, 1)


def test_a_call_takes_a_fixed_number_of_queries(test_endpoint, make_key, keyed, django_assert_num_queries):
    client = keyed(make_key().secret)
    client.get(STATUS_URL)  # the first call also writes the key's last use
    with django_assert_num_queries(2):  # the key with its client, utility and subscription; the usage upsert
        assert client.get(FIGURES_URL, {"canton": "ZH", "year": 2025}).status_code == 200
    with django_assert_num_queries(2):
        assert client.get(STATUS_URL).status_code == 200
