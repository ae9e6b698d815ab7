"""Per-key limits: N calls pass in a window, call N+1 answers 429 with the real seconds until the window frees."""

import pytest
from django.core.cache import cache

from api.b2b import limits
from api.b2b.limits import spend, usage
from api.errors import ApiError
from tests.api.b2b.conftest import STATUS_URL, aware

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def refusal(key, now) -> ApiError:
    with pytest.raises(ApiError) as refused:
        spend(key, now=now)
    return refused.value


def test_the_hourly_limit_passes_n_calls_and_refuses_the_next_until_the_clock_hour(make_key):
    key = make_key(hourly_limit=3, daily_limit=100).key
    now = aware(2026, 5, 4, 8, 59, 30)  # 10:59:30 in Zurich
    for _ in range(3):
        spend(key, now=now)
    refused = refusal(key, now)
    assert (refused.status, refused.code) == (429, "throttled")
    assert refused.message == "Das Stundenlimit von 3 Aufrufen ist erreicht. Wieder möglich in 30 Sekunden."
    assert refused.details == {
        "limit": "hourly", "limit_calls": 3, "retry_after_seconds": 30, "resets_at": "2026-05-04T09:00:00Z"
    }
    spend(key, now=aware(2026, 5, 4, 9, 0, 0))  # the next hour's window
    assert usage(key, now=aware(2026, 5, 4, 9, 0, 1))["hourly"].calls == 1


def test_the_daily_limit_frees_at_zurich_midnight(make_key):
    key = make_key(hourly_limit=100, daily_limit=2).key
    spend(key, now=aware(2026, 5, 4, 6, 0))
    spend(key, now=aware(2026, 5, 4, 15, 0))
    refused = refusal(key, aware(2026, 5, 4, 20, 0, 0, 400000))  # 22:00:00.4 in Zurich, summer time
    assert refused.message == "Das Tageslimit von 2 Aufrufen ist erreicht. Wieder möglich in 7200 Sekunden."
    assert refused.details["resets_at"] == "2026-05-04T22:00:00Z"
    spend(key, now=aware(2026, 5, 4, 22, 0))  # Tuesday in Zurich


def test_on_the_day_summer_time_ends_the_day_has_25_hours(make_key):
    key = make_key(hourly_limit=100, daily_limit=1).key
    spend(key, now=aware(2026, 10, 24, 22, 30))  # 00:30 on 25 October in Zurich
    refused = refusal(key, aware(2026, 10, 24, 22, 30))
    assert refused.details["retry_after_seconds"] == 24 * 3600 + 1800
    assert refused.details["resets_at"] == "2026-10-25T23:00:00Z"


def test_a_refused_call_is_not_counted_and_when_both_limits_are_reached_the_longer_wait_is_told(make_key):
    key = make_key(hourly_limit=1, daily_limit=1).key
    now = aware(2026, 5, 4, 8, 0)
    spend(key, now=now)
    refused = refusal(key, now)
    assert (refused.details["limit"], refused.details["retry_after_seconds"]) == ("daily", 14 * 3600)
    assert {name: window.calls for name, window in usage(key, now=now).items()} == {"hourly": 1, "daily": 1}


def test_the_limits_count_per_key(make_key):
    first = make_key(hourly_limit=1)
    second = make_key(client=first.key.client)
    now = aware(2026, 5, 4, 8, 0)
    spend(first.key, now=now)
    spend(second.key, now=now)
    assert refusal(first.key, now).code == "throttled"


def test_the_windows_live_in_redis_and_expire_with_them(make_key):
    from django_redis import get_redis_connection

    key = make_key().key
    spend(key, now=aware(2026, 5, 4, 8, 59, 0))
    redis = get_redis_connection("default")
    ttl = redis.ttl(cache.make_key(f"b2b-hour:{key.pk}:20260504T08"))
    assert 60 < ttl <= 120


def test_over_http_the_429_carries_retry_after(make_key, keyed, monkeypatch):
    monkeypatch.setattr(limits, "utc_now", lambda: aware(2026, 5, 4, 8, 58, 15))
    client = keyed(make_key(hourly_limit=2).secret)
    statuses = [client.get(STATUS_URL).status_code for _ in range(3)]
    refused = client.get(STATUS_URL)
    assert statuses == [200, 200, 429]
    assert refused["Retry-After"] == "105"
    assert refused.json()["error"] == {
        "code": "throttled",
        "message": "Das Stundenlimit von 2 Aufrufen ist erreicht. Wieder möglich in 105 Sekunden.",
        "details": {
            "limit": "hourly", "limit_calls": 2, "retry_after_seconds": 105, "resets_at": "2026-05-04T09:00:00Z"
        },
    }
