"""Per-token throttles in Redis: a rate, and the token's daily budget per Europe/Zurich day."""

import threading
import time
from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from api.errors import ApiError
from api.throttles import check_limits, parse_rate, spend_daily_budget, spend_rate

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

TOOLS_URL = "/api/agent/v1/"


def test_past_the_rate_a_token_gets_429_with_the_wait(make_token, bearer, settings):
    settings.AGENT_THROTTLE_RATE = "3/h"  # an hour's window: the test does not straddle two of them
    client = bearer(make_token().secret)
    statuses = [client.get(TOOLS_URL).status_code for _ in range(4)]
    refused = client.get(TOOLS_URL)
    assert statuses == [200, 200, 200, 429]
    body = refused.json()
    assert body["error"]["code"] == "throttled"
    assert body["error"]["details"]["limit"] == "rate"
    seconds = body["error"]["details"]["retry_after_seconds"]
    assert 1 <= seconds <= 3600
    assert abs(seconds - (3600 - time.time() % 3600)) < 2  # the rest of the clock hour
    assert refused["Retry-After"] == str(seconds)
    assert body["error"]["message"] == f"Zu viele Aufrufe. Bitte in {seconds} Sekunden wieder versuchen."


def test_the_rate_counts_per_token(make_token, bearer, settings):
    settings.AGENT_THROTTLE_RATE = "1/h"
    first, second = bearer(make_token().secret), bearer(make_token().secret)
    assert [first.get(TOOLS_URL).status_code, second.get(TOOLS_URL).status_code] == [200, 200]
    assert first.get(TOOLS_URL).status_code == 429


def test_the_counts_live_in_redis(make_token, bearer, settings):
    from django_redis import get_redis_connection

    settings.AGENT_THROTTLE_RATE = "5/h"
    new = make_token()
    bearer(new.secret).get(TOOLS_URL)
    window = int(time.time() // 3600)
    assert get_redis_connection("default").exists(cache.make_key(f"agent-rate:{new.token.pk}:{window}")) == 1


def test_thirty_calls_at_once_get_exactly_the_rate_through(make_token, settings):
    """One atomic count per call: calls on several workers at once cannot overwrite each other's."""
    settings.AGENT_THROTTLE_RATE = "10/min"
    token = make_token().token
    start, answers = threading.Barrier(30), []

    def call():
        start.wait()
        try:
            answers.append(spend_rate(token, now=1_800_000_010.0))
        except ApiError as refused:
            answers.append(refused.status)

    threads = [threading.Thread(target=call) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == list(range(1, 11)) + [429] * 20


def test_the_rate_window_is_the_clock_minute_and_the_wait_its_rest(make_token, settings):
    settings.AGENT_THROTTLE_RATE = "2/min"
    token = make_token().token
    minute = 1_800_000_000.0  # a whole minute since the epoch
    assert [spend_rate(token, now=minute + 1), spend_rate(token, now=minute + 30)] == [1, 2]
    with pytest.raises(ApiError) as refused:
        spend_rate(token, now=minute + 45.5)
    assert refused.value.details == {"limit": "rate", "retry_after_seconds": 15}
    assert spend_rate(token, now=minute + 60) == 1


def test_rates_are_read_per_second_minute_hour_and_day():
    assert [parse_rate(rate) for rate in ("10/s", "120/min", "1000/hour", "5000/day")] == [
        (10, 1), (120, 60), (1000, 3600), (5000, 86400),
    ]


def test_past_the_daily_budget_a_token_gets_429_until_zurich_midnight(make_token, bearer):
    new = make_token(daily_budget=2)
    client = bearer(new.secret)
    assert [client.get(TOOLS_URL).status_code for _ in range(2)] == [200, 200]
    refused = client.get(TOOLS_URL)
    assert refused.status_code == 429
    details = refused.json()["error"]["details"]
    assert details["limit"] == "daily_budget"
    assert refused["Retry-After"] == str(details["retry_after_seconds"])
    assert refused.json()["error"]["message"] == (
        "Das Tagesbudget dieses Tokens ist aufgebraucht. "
        f"Wieder möglich in {details['retry_after_seconds']} Sekunden."
    )


def test_the_budget_day_is_the_zurich_day(make_token):
    token = make_token(daily_budget=1).token
    # 22:30 UTC on 31 March 2026 is 00:30 on 1 April in Zurich (summer time): a new day, a new budget
    assert spend_daily_budget(token, now=datetime(2026, 3, 31, 21, 0, tzinfo=UTC)) == 1
    with pytest.raises(ApiError) as refused:
        spend_daily_budget(token, now=datetime(2026, 3, 31, 21, 59, tzinfo=UTC))
    assert refused.value.status == 429
    assert refused.value.details == {"limit": "daily_budget", "retry_after_seconds": 60}  # midnight = 22:00 UTC
    assert spend_daily_budget(token, now=datetime(2026, 3, 31, 22, 30, tzinfo=UTC)) == 1


def test_another_door_counts_against_the_same_rate_and_budget(make_token, bearer, settings):
    settings.AGENT_THROTTLE_RATE = "2/h"
    new = make_token()
    check_limits(new.token)
    assert bearer(new.secret).get(TOOLS_URL).status_code == 200
    with pytest.raises(ApiError) as refused:
        check_limits(new.token)
    assert (refused.value.status, refused.value.code, refused.value.details["limit"]) == (429, "throttled", "rate")
