"""Tiers: starter opens three endpoints, professional all, enterprise its own list; a utility's plan sets the tier."""

import pytest

from api.b2b.tiers import effective_tier, open_endpoints
from subscriptions.models import UtilitySubscription
from tests.api.b2b.conftest import FIGURES_URL, STATUS_URL
from tests.pipeline.factories import UtilityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

REGISTRY = ["community-benchmarks", "formation-pipeline", "grid-optimization", "load-profiles", "solar-index", "status"]


def test_what_each_tier_opens(make_client):
    assert open_endpoints(make_client(tier="starter"), REGISTRY) == ["formation-pipeline", "solar-index", "status"]
    assert open_endpoints(make_client(tier="professional"), REGISTRY) == REGISTRY
    assert open_endpoints(make_client(tier="enterprise"), REGISTRY) == REGISTRY
    custom = make_client(tier="enterprise", endpoints=["grid-optimization"])
    assert open_endpoints(custom, REGISTRY) == ["grid-optimization", "status"]


def test_starter_opens_only_the_endpoints_that_exist(make_client):
    assert open_endpoints(make_client(tier="starter"), ["status"]) == ["status"]


def test_a_utility_s_subscription_tier_replaces_the_client_s_own(make_client):
    utility = UtilityFactory()
    client = make_client(tier="starter", utility=utility)
    assert effective_tier(client) == "starter"
    UtilitySubscription.objects.create(utility=utility, plan_key="professional", api_tier="professional")
    client.refresh_from_db()
    assert effective_tier(client) == "professional"
    UtilitySubscription.objects.filter(utility=utility).update(api_tier="")  # churned: the tier is withdrawn
    client.refresh_from_db()
    assert effective_tier(client) is None
    assert open_endpoints(client, REGISTRY) == ["status"]


def test_a_withdrawn_subscription_tier_leaves_only_status(test_endpoint, make_key, keyed):
    utility = UtilityFactory()
    UtilitySubscription.objects.create(utility=utility, plan_key="professional", status="canceled", api_tier="")
    client = keyed(make_key(tier="professional", utility=utility).secret)
    status = client.get(STATUS_URL).json()
    assert (status["tier"], status["endpoints"]) == (None, ["status"])
    refused = client.get(FIGURES_URL, {"year": 2025})
    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "code": "tier_insufficient",
        "message": "Das Abonnement Ihres Netzbetreibers gewährt zurzeit keinen API-Zugang; den Endpunkt "
        "«test-figures» öffnet die Stufe «Professional».",
        "details": {"tier": None, "required_tier": "professional"},
    }


def test_a_call_outside_the_tier_answers_403_naming_the_tier_that_opens_it(test_endpoint, make_key, keyed):
    answer = keyed(make_key(tier="starter").secret).get(FIGURES_URL, {"year": 2025})
    assert answer.status_code == 403
    assert answer.json()["error"] == {
        "code": "tier_insufficient",
        "message": "Der Endpunkt «test-figures» ist in Ihrer Stufe «Starter» nicht enthalten; ihn öffnet die Stufe "
        "«Professional».",
        "details": {"tier": "starter", "required_tier": "professional"},
    }


def test_an_enterprise_client_outside_its_contract_is_told_so(test_endpoint, make_key, keyed):
    answer = keyed(make_key(tier="enterprise", endpoints=["solar-index"]).secret).get(FIGURES_URL, {"year": 2025})
    assert answer.status_code == 403
    assert answer.json()["error"] == {
        "code": "tier_insufficient",
        "message": "Der Endpunkt «test-figures» ist in Ihrem Enterprise-Vertrag nicht freigegeben.",
        "details": {"tier": "enterprise", "required_tier": "enterprise"},
    }


def test_the_subscription_s_tier_opens_the_endpoint_over_http(test_endpoint, make_key, keyed):
    utility = UtilityFactory()
    UtilitySubscription.objects.create(utility=utility, plan_key="professional", api_tier="professional")
    new = make_key(tier="starter", utility=utility)
    answer = keyed(new.secret).get(FIGURES_URL, {"year": 2025})
    assert (answer.status_code, answer.json()) == (200, {"canton": None, "year": 2025, "utility_id": utility.pk})
    assert keyed(new.secret).get(STATUS_URL).json()["tier"] == "professional"


def test_the_tier_is_checked_before_the_query(test_endpoint, make_key, keyed):
    answer = keyed(make_key(tier="starter").secret).get(FIGURES_URL, {"year": "nope"})
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "tier_insufficient")
