import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_healthz_reports_database_and_redis(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    expected_redis = "ok" if settings.REDIS_URL else "not configured"
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": expected_redis}}


@pytest.mark.django_db
@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_healthz_fails_when_redis_is_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "ok", "redis": "error: ConnectionError"}}


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_pings_real_redis(client):
    assert client.get("/healthz").json()["checks"]["redis"] == "ok"
