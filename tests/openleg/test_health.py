from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from openleg import heartbeat

NOW = datetime(2026, 12, 7, 21, 30, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_healthz_reports_database_and_redis(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    expected_redis = "ok" if settings.REDIS_URL else "not configured"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": expected_redis},
        "heartbeats": "not configured",  # the test settings run tasks eagerly, as the demo does: no beat, no worker
    }


@pytest.mark.django_db
@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_healthz_fails_when_redis_is_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "ok", "redis": "error: ConnectionError"},
        "heartbeats": "not configured",
    }


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_pings_real_redis(client):
    assert client.get("/healthz").json()["checks"]["redis"] == "ok"


@pytest.fixture
def with_broker(settings, monkeypatch):
    """Beat and a worker expected (not eager); the clock frozen at NOW; no heartbeat stored yet."""
    from django.core.cache import cache

    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.delete_many(["heartbeat:beat", "heartbeat:worker"])
    moment = {"now": NOW}
    monkeypatch.setattr(heartbeat, "utc_now", lambda: moment["now"])
    monkeypatch.setattr("openleg.health.utc_now", lambda: moment["now"])
    yield moment
    cache.delete_many(["heartbeat:beat", "heartbeat:worker"])


def _stamp(moment, component, seconds_ago):
    moment["now"] = NOW - timedelta(seconds=seconds_ago)
    heartbeat.heartbeat_stamp(component=component)
    moment["now"] = NOW


@pytest.mark.redis
@pytest.mark.django_db
def test_fresh_heartbeats_are_ok_with_their_ages_and_times(client, with_broker):
    _stamp(with_broker, "beat", 42)
    _stamp(with_broker, "worker", 41)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok"},
        "heartbeats": {
            "beat": {"status": "ok", "last": "2026-12-07T21:29:18Z", "age_seconds": 42},
            "worker": {"status": "ok", "last": "2026-12-07T21:29:19Z", "age_seconds": 41},
        },
        "stale": [],
    }


@pytest.mark.redis
@pytest.mark.django_db
def test_a_stale_worker_degrades_the_status_but_not_the_http_answer(client, with_broker):
    _stamp(with_broker, "beat", 30)
    _stamp(with_broker, "worker", 301)  # the threshold is 300 seconds

    response = client.get("/healthz")

    assert response.status_code == 200  # Docker must not restart the web because a worker is down
    body = response.json()
    assert body["status"] == "degraded"
    assert body["stale"] == ["worker"]
    assert body["heartbeats"]["worker"] == {"status": "stale", "last": "2026-12-07T21:24:59Z", "age_seconds": 301}
    assert body["heartbeats"]["beat"]["status"] == "ok"


@pytest.mark.redis
@pytest.mark.django_db
def test_exactly_at_the_threshold_is_still_ok_and_the_threshold_is_a_setting(client, with_broker, settings):
    _stamp(with_broker, "beat", 300)
    _stamp(with_broker, "worker", 300)
    assert client.get("/healthz").json()["status"] == "ok"

    settings.OPENLEG_HEARTBEAT_STALE_SECONDS = 120
    body = client.get("/healthz").json()
    assert (body["status"], body["stale"]) == ("degraded", ["beat", "worker"])


@pytest.mark.redis
@pytest.mark.django_db
def test_never_seen_heartbeats_are_missing(client, with_broker):
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["heartbeats"] == {
        "beat": {"status": "missing", "last": None, "age_seconds": None},
        "worker": {"status": "missing", "last": None, "age_seconds": None},
    }
    assert body["stale"] == ["beat", "worker"]


@pytest.mark.django_db
def test_with_redis_down_the_heartbeats_are_not_asked(client, with_broker, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["heartbeats"] == "unknown: Redis is down"


@pytest.mark.redis
@pytest.mark.django_db
def test_the_heartbeat_task_stamps_the_worker_and_beat_sending_stamps_beat(client, with_broker, monkeypatch):
    """The real pieces: the task run by a worker, and the publish signal in the beat process."""
    from openleg import celery_signals
    from openleg.tasks import heartbeat as heartbeat_task

    heartbeat_task.apply()
    monkeypatch.setattr(celery_signals, "_in_beat", True)
    celery_signals.add_request_id(sender="openleg.tasks.heartbeat", headers={})
    celery_signals.add_request_id(sender="billing.tasks.start_monthly_billing", headers={})  # stamps nothing

    with_broker["now"] = NOW + timedelta(seconds=7)
    beats = client.get("/healthz").json()["heartbeats"]
    assert beats == {
        "beat": {"status": "ok", "last": "2026-12-07T21:30:00Z", "age_seconds": 7},
        "worker": {"status": "ok", "last": "2026-12-07T21:30:00Z", "age_seconds": 7},
    }


@pytest.mark.django_db
def test_beat_sends_the_heartbeat_every_minute_with_a_one_minute_expiry():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="openleg.tasks.heartbeat")
    assert (task.interval.every, task.interval.period, task.expire_seconds, task.enabled) == (60, "seconds", 60, True)
