"""Every call counted per client, endpoint and Zurich day; tier, canton and limit refusals counted as denied."""

import pytest

from api.b2b.metering import count_call
from api.models import ApiUsage
from tests.api.b2b.conftest import FIGURES_URL, STATUS_URL, aware

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def rows() -> list[tuple]:
    return list(ApiUsage.objects.order_by("endpoint", "day").values_list("endpoint", "day", "calls", "denied"))


def test_calls_are_counted_per_endpoint_and_zurich_day(make_client):
    from datetime import date

    client = make_client()
    count_call(client_id=client.pk, endpoint="status", now=aware(2026, 5, 4, 21, 59))  # 23:59 in Zurich
    count_call(client_id=client.pk, endpoint="status", now=aware(2026, 5, 4, 22, 0))  # 00:00 on the 5th
    count_call(client_id=client.pk, endpoint="status", now=aware(2026, 5, 4, 23, 0))
    count_call(client_id=client.pk, endpoint="status", denied=True, now=aware(2026, 5, 4, 23, 0))
    assert rows() == [("status", date(2026, 5, 4), 1, 0), ("status", date(2026, 5, 5), 2, 1)]


def test_over_http_answers_count_as_calls_and_refusals_as_denied(test_endpoint, make_key, keyed):
    new = make_key(tier="starter", allowed_cantons=["ZH"], hourly_limit=2)
    client = keyed(new.secret)
    client.get(STATUS_URL)
    client.get(STATUS_URL)
    client.get(STATUS_URL)  # 429
    client.get(FIGURES_URL, {"year": 2025})  # 403 tier
    keyed("olk_unknown").get(STATUS_URL)  # 401: no client to count
    usage = {(row.endpoint, row.calls, row.denied) for row in ApiUsage.objects.filter(client=new.key.client)}
    assert usage == {("status", 2, 1), ("test-figures", 0, 1)}
    assert ApiUsage.objects.count() == 2


def test_a_canton_refusal_is_denied_and_a_bad_query_a_call(test_endpoint, make_key, keyed):
    client = keyed(make_key(allowed_cantons=["ZH"]).secret)
    assert client.get(FIGURES_URL, {"canton": "BE", "year": 2025}).status_code == 403
    assert client.get(FIGURES_URL, {"canton": "ZH"}).status_code == 400
    assert client.get(FIGURES_URL, {"canton": "ZH", "year": 2025}).status_code == 200
    assert [(endpoint, calls, denied) for endpoint, _day, calls, denied in rows()] == [("test-figures", 2, 1)]
