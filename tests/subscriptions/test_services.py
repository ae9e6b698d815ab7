"""Checkout and the customer portal: the exact parameters sent to Stripe (answers at the HTTP layer)."""

import datetime as dt

import pytest
from djstripe.models import Customer, Subscription

from openleg.errors import DomainError
from subscriptions.services import checkout_start, portal_start
from subscriptions.stripe_api import PaymentsNotConfigured
from tests.accounts.factories import UtilityUserFactory
from tests.subscriptions.stripe_fake import API, answer, our_calls

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SUCCESS = "https://openleg.example/utility/billing/?checkout=success"
CANCEL = "https://openleg.example/utility/billing/?checkout=cancel"
CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_a1OpenLEGStarter0001#fidkdWxOYHwnPyd1blpxYHZxWjA0"
PORTAL_URL = "https://billing.stripe.com/p/session/test_YWNjdF8xVHN0T3BlbkxFRzAwMDE"


def expect_customer_creation(stripe_http, utility):
    stripe_http.post(
        f"{API}/customers",
        json=answer(
            "customer",
            name=utility.name,
            email=utility.email,
            metadata={"djstripe_subscriber": str(utility.pk), "openleg_utility": str(utility.pk)},
        ),
    )


def test_a_first_checkout_creates_the_customer_once_and_a_subscription_session(stripe_http, plan_prices, utility):
    user = UtilityUserFactory(utility=utility, portal_role="approver", username="anna")
    expect_customer_creation(stripe_http, utility)
    stripe_http.post(f"{API}/checkout/sessions", json=answer("checkout_session", client_reference_id=str(utility.pk)))

    url = checkout_start(utility, "starter", "month", actor=user, success_url=SUCCESS, cancel_url=CANCEL)

    pk = str(utility.pk)
    assert url == CHECKOUT_URL
    assert our_calls(stripe_http) == [
        (
            "POST /v1/customers",
            {
                "name": "Elektrizitätswerk Seldwyla AG",
                "metadata[djstripe_subscriber]": pk,
                "metadata[openleg_utility]": pk,
                "email": "abo@ew-seldwyla.ch",
            },
        ),
        (
            "POST /v1/checkout/sessions",
            {
                "mode": "subscription",
                "customer": "cus_TstUtility0001",
                "client_reference_id": pk,
                "line_items[0][price]": "price_starter_month",
                "line_items[0][quantity]": "1",
                "metadata[openleg_utility]": pk,
                "metadata[openleg_utility_name]": "Elektrizitätswerk Seldwyla AG",
                "metadata[openleg_plan]": "starter",
                "metadata[openleg_started_by]": "anna",
                "subscription_data[metadata][openleg_utility]": pk,
                "subscription_data[metadata][openleg_plan]": "starter",
                "subscription_data[trial_period_days]": "30",
                "locale": "de",
                "success_url": SUCCESS,
                "cancel_url": CANCEL,
            },
        ),
    ]
    creation = stripe_http.calls[0].request.headers
    assert creation["Idempotency-Key"] == f"openleg-customer-test-{pk}"
    assert list(Customer.objects.values_list("id", "subscriber_id", "livemode")) == [
        ("cus_TstUtility0001", utility.pk, False)
    ]


def test_a_second_checkout_reuses_the_customer_and_a_plan_without_trial_sends_none(stripe_http, plan_prices, utility):
    expect_customer_creation(stripe_http, utility)
    stripe_http.post(f"{API}/checkout/sessions", json=answer("checkout_session"))
    checkout_start(utility, "starter", "month", actor=None, success_url=SUCCESS, cancel_url=CANCEL)
    stripe_http.calls.reset()

    url = checkout_start(utility, "enterprise", "year", actor=None, success_url=SUCCESS, cancel_url=CANCEL)

    assert url == CHECKOUT_URL
    calls = our_calls(stripe_http)
    assert [name for name, _ in calls] == ["POST /v1/checkout/sessions"]
    assert {key: value for key, value in calls[0][1].items() if "plan" in key or "trial" in key or "line" in key} == {
        "line_items[0][price]": "price_enterprise_year",
        "line_items[0][quantity]": "1",
        "metadata[openleg_plan]": "enterprise",
        "subscription_data[metadata][openleg_plan]": "enterprise",
    }
    assert Customer.objects.count() == 1


def live_subscription(customer: Customer, status: str) -> Subscription:
    """What the webhooks leave in dj-stripe for a subscription in ``status``."""
    return Subscription.objects.create(
        id=f"sub_{status}",
        customer=customer,
        livemode=False,
        created=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        stripe_data={"id": f"sub_{status}", "object": "subscription", "status": status},
    )


@pytest.mark.parametrize("status", ["active", "trialing", "past_due"])
def test_a_utility_with_a_live_subscription_is_sent_to_the_customer_portal(stripe_http, plan_prices, utility, status):
    customer = Customer.objects.create(id="cus_TstUtility0001", livemode=False, subscriber=utility)
    live_subscription(customer, status)
    stripe_http.post(f"{API}/billing_portal/sessions", json=answer("billing_portal_session"))

    url = checkout_start(utility, "starter", "month", actor=None, success_url=SUCCESS, cancel_url=CANCEL)

    assert url == PORTAL_URL
    assert our_calls(stripe_http) == [
        ("POST /v1/billing_portal/sessions", {"customer": "cus_TstUtility0001", "return_url": CANCEL})
    ]


def test_a_canceled_subscription_does_not_stop_a_new_checkout(stripe_http, plan_prices, utility):
    customer = Customer.objects.create(id="cus_TstUtility0001", livemode=False, subscriber=utility)
    live_subscription(customer, "canceled")
    stripe_http.post(f"{API}/checkout/sessions", json=answer("checkout_session"))

    url = checkout_start(utility, "starter", "month", actor=None, success_url=SUCCESS, cancel_url=CANCEL)

    assert url == CHECKOUT_URL
    assert [name for name, _ in our_calls(stripe_http)] == ["POST /v1/checkout/sessions"]


def test_the_portal_session_returns_to_the_given_page(stripe_http, utility):
    Customer.objects.create(id="cus_TstUtility0001", livemode=False, subscriber=utility)
    stripe_http.post(f"{API}/billing_portal/sessions", json=answer("billing_portal_session"))

    url = portal_start(utility, return_url="https://openleg.example/utility/billing/")

    assert url == PORTAL_URL
    assert our_calls(stripe_http) == [
        (
            "POST /v1/billing_portal/sessions",
            {"customer": "cus_TstUtility0001", "return_url": "https://openleg.example/utility/billing/"},
        )
    ]


def test_an_unknown_plan_or_one_not_synced_is_refused_before_stripe_is_asked(stripe_http, utility):
    with pytest.raises(DomainError) as unknown:
        checkout_start(utility, "gold", "month", actor=None, success_url=SUCCESS, cancel_url=CANCEL)
    with pytest.raises(DomainError) as not_synced:
        checkout_start(utility, "starter", "month", actor=None, success_url=SUCCESS, cancel_url=CANCEL)

    assert (unknown.value.code, unknown.value.message) == ("unknown_plan", "Diesen Plan gibt es nicht.")
    assert (not_synced.value.code, not_synced.value.message) == (
        "plan_not_synced",
        "Der Plan ist in Stripe noch nicht angelegt (python manage.py stripe_plans sync).",
    )
    assert len(stripe_http.calls) == 0


def test_without_keys_checkout_and_portal_are_refused(settings, utility):
    settings.STRIPE_TEST_SECRET_KEY = ""
    settings.STRIPE_LIVE_SECRET_KEY = ""

    with pytest.raises(PaymentsNotConfigured):
        portal_start(utility, return_url=CANCEL)
