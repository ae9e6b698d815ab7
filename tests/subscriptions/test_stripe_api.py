"""The one Stripe module: which key it uses, and the German refusal without one."""

import pytest
import responses

from subscriptions import stripe_api
from tests.subscriptions.stripe_fake import API, answer


@pytest.mark.parametrize(
    ("live_mode", "test_key", "live_key", "expected"),
    [
        (False, "", "", ""),
        (False, "sk_test_A", "sk_live_B", "sk_test_A"),
        (True, "sk_test_A", "sk_live_B", "sk_live_B"),
        (True, "sk_test_A", "", ""),  # live mode never falls back to the test key
    ],
)
def test_the_key_of_the_current_mode(settings, live_mode, test_key, live_key, expected):
    settings.STRIPE_LIVE_MODE = live_mode
    settings.STRIPE_TEST_SECRET_KEY = test_key
    settings.STRIPE_LIVE_SECRET_KEY = live_key

    assert (stripe_api.secret_key(), stripe_api.payments_configured()) == (expected, bool(expected))


def test_without_a_key_every_call_is_refused_in_german_and_nothing_is_sent(settings):
    settings.STRIPE_LIVE_MODE = False
    settings.STRIPE_TEST_SECRET_KEY = ""

    with responses.RequestsMock() as nothing, pytest.raises(stripe_api.PaymentsNotConfigured) as refusal:
        stripe_api.products_all()

    assert (refusal.value.code, refusal.value.message) == (
        "payments_not_configured",
        "Zahlungen sind nicht eingerichtet: es ist kein Stripe-Schlüssel gesetzt.",
    )
    assert len(nothing.calls) == 0


def test_calls_carry_the_key_the_pinned_version_and_the_idempotency_key(stripe_http):
    stripe_http.post(f"{API}/customers", json=answer("customer"))

    customer = stripe_api.customer_create(name="EW", email=None, metadata={}, idempotency_key="k-1")

    headers = stripe_http.calls[0].request.headers
    assert customer.id == "cus_TstUtility0001"
    assert (headers["Authorization"], headers["Stripe-Version"], headers["Idempotency-Key"]) == (
        "Bearer sk_test_OpenLEGTest000000000000000000",
        "2026-05-27.dahlia",
        "k-1",
    )
    assert stripe_api._http_client._timeout == 20
