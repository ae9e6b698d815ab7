"""``status``: the client, its tier, limits, usage this hour and today (this call included), cantons, endpoints."""

import pytest

from api.b2b import limits
from tests.api.b2b.conftest import STATUS_URL, aware
from tests.pipeline.factories import UtilityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def test_status_tells_a_client_what_it_has(test_endpoint, make_key, keyed, monkeypatch):
    monkeypatch.setattr(limits, "utc_now", lambda: aware(2026, 5, 4, 8, 30))
    utility = UtilityFactory()
    new = make_key(
        company="Solarplan AG", tier="starter", allowed_cantons=["ZH", "AG"], hourly_limit=50, daily_limit=400,
        utility=utility,
    )
    client = keyed(new.secret)
    client.get(STATUS_URL)
    answer = client.get(STATUS_URL)
    assert answer.status_code == 200
    assert answer.json() == {
        "client": {"id": new.key.client.pk, "company": "Solarplan AG", "utility_id": utility.pk},
        "key": {"prefix": new.key.prefix, "name": "Produktion"},
        "tier": "starter",
        "usage": {
            "this_hour": {"calls": 2, "limit": 50, "remaining": 48, "resets_at": "2026-05-04T09:00:00Z"},
            "today": {"calls": 2, "limit": 400, "remaining": 398, "resets_at": "2026-05-04T22:00:00Z"},
        },
        "allowed_cantons": ["AG", "ZH"],
        "endpoints": ["formation-pipeline", "solar-index", "status"],
    }


def test_a_professional_client_sees_every_endpoint(test_endpoint, make_key, keyed):
    assert keyed(make_key(tier="professional").secret).get(STATUS_URL).json()["endpoints"] == [
        "community-benchmarks",
        "formation-pipeline",
        "grid-optimization",
        "load-profiles",
        "solar-index",
        "status",
        "test-figures",
    ]
