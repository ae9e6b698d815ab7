"""Stripe at the HTTP layer for every subscription test, and the plans as `stripe_plans sync` leaves them."""

import pytest
import responses
from djstripe.models import Price, Product

from tests.pipeline.factories import UtilityFactory
from tests.subscriptions.stripe_fake import TEST_KEY, answer, answer_djstripe_reads
from tests.subscriptions.stripe_http import stripe_webhook_http  # noqa: F401 (the webhook tests' Stripe)


@pytest.fixture
def stripe_keys(settings):
    settings.STRIPE_LIVE_MODE = False
    settings.STRIPE_TEST_SECRET_KEY = TEST_KEY
    settings.STRIPE_LIVE_SECRET_KEY = ""


@pytest.fixture
def stripe_http(stripe_keys):
    """Every HTTP call of the test goes here; an unexpected call fails, tests assert the calls made exactly."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def plans_in_djstripe(mock) -> None:
    """The plans as `stripe_plans sync` leaves them in dj-stripe (starter monthly and enterprise yearly suffice)."""
    answer_djstripe_reads(mock)
    for key, name in (("starter", "Starter"), ("enterprise", "Enterprise")):
        Product.sync_from_stripe_data(answer("product", id=f"prod_{key}", name=name, metadata={"openleg_plan": key}))
    Price.sync_from_stripe_data(answer("price", id="price_starter_month", product="prod_starter"))
    enterprise = answer(
        "price",
        id="price_enterprise_year",
        product="prod_enterprise",
        unit_amount=9900000,
        unit_amount_decimal="9900000",
        lookup_key="openleg_enterprise_year",
    )
    enterprise["recurring"] = {**enterprise["recurring"], "interval": "year"}
    Price.sync_from_stripe_data(enterprise)


@pytest.fixture
def plan_prices(stripe_http):
    plans_in_djstripe(stripe_http)
    stripe_http.calls.reset()


@pytest.fixture
def utility():
    return UtilityFactory(name="Elektrizitätswerk Seldwyla AG", email="abo@ew-seldwyla.ch")
