"""Stripe replaced at the HTTP layer only: recorded answers (API version 2026-05-27.dahlia) served by ``responses``."""

import json
from pathlib import Path

import pytest
import responses

ANSWERS = Path(__file__).parent / "stripe_answers" / "webhooks"
API = "https://api.stripe.com/v1"
TEST_KEY = "sk_test_openlegTestKey000000000000"


def answer(name: str, **changes) -> dict:
    """A recorded Stripe object, with top-level fields changed for the case at hand."""
    return {**json.loads((ANSWERS / f"{name}.json").read_text()), **changes}


@pytest.fixture
def stripe_webhook_http(settings):
    """Every call to Stripe must be one the test expects; the account is always known."""
    settings.STRIPE_TEST_SECRET_KEY = TEST_KEY
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{API}/account", json=answer("account"))
        yield mock
