"""What a subscription changes, driven end to end through signed webhooks with Stripe answered at the HTTP layer."""

import copy
from datetime import UTC, datetime, timedelta

import pytest
import responses
from djstripe.models import Customer, Event

from pipeline.models import Door, PipelineEvent, Stage
from subscriptions.models import UtilitySubscription
from tests.pipeline.factories import UtilityFactory
from tests.subscriptions.signing import event, post_signed
from tests.subscriptions.stripe_http import API, answer

SECRET = "whsec_test_openleg"
URL = "/webhook/stripe"
SUBSCRIPTION_URL = f"{API}/subscriptions/sub_OpenLEGEW1"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.DJSTRIPE_WEBHOOK_SECRET = SECRET


def subscription(status: str, plan: str = "starter") -> dict:
    data = answer("subscription", status=status)
    if plan == "professional":
        data = copy.deepcopy(data)
        price = data["items"]["data"][0]["price"]
        price.update(
            id="price_OpenLEGProfessionalMonth",
            lookup_key="openleg_professional_month",
            metadata={"openleg_plan": "professional"},
            product="prod_OpenLEGProfessional",
            unit_amount=299000,
            unit_amount_decimal="299000",
        )
        data["metadata"] = {"openleg_plan": "professional"}
    if status == "canceled":
        data.update(canceled_at=1800000000, ended_at=1800000000)
    return data


@pytest.fixture
def stripe(stripe_webhook_http):
    stripe_webhook_http.get(f"{API}/customers/cus_OpenLEGEW1", json=answer("customer"))
    stripe_webhook_http.get(f"{API}/products/prod_OpenLEGStarter", json=answer("product_starter"))
    stripe_webhook_http.get(f"{API}/products/prod_OpenLEGProfessional", json=answer("product_professional"))
    return stripe_webhook_http


def stripe_now_says(stripe, data: dict) -> None:
    """What Stripe answers when the subscription is fetched again."""
    stripe.upsert(responses.GET, SUBSCRIPTION_URL, json=data)


@pytest.fixture
def utility(db):
    utility = UtilityFactory(stage=Stage.DEMO)
    return utility


@pytest.fixture
def customer(stripe, utility):
    customer = Customer.sync_from_stripe_data(answer("customer"))
    customer.subscriber = utility
    customer.save()
    return customer


def deliver(client, stripe, event_id: str, kind: str, state: dict, *, payload_state: dict | None = None):
    stripe_now_says(stripe, state)
    response = post_signed(client, URL, event(event_id, kind, payload_state or state), SECRET)
    assert response.status_code == 200, response.content
    return response


def stage_history(utility) -> list[tuple[str, str, str]]:
    return list(
        PipelineEvent.objects.filter(utility=utility, kind=PipelineEvent.Kind.STAGE)
        .order_by("at", "pk")
        .values_list("from_stage", "to_stage", "door")
    )


def test_the_lifecycle_drives_the_pipeline_and_the_api_tier(client, stripe, customer, utility):
    deliver(client, stripe, "evt_1", "customer.subscription.created", subscription("trialing"))
    record = UtilitySubscription.objects.get(utility=utility)
    assert (record.plan_key, record.status, record.api_tier, record.has_paid) == (
        "starter",
        "trialing",
        "starter",
        False,
    )
    assert record.current_period_end == datetime.fromtimestamp(1798592000, tz=UTC)
    assert record.trial_end == datetime.fromtimestamp(1798592000, tz=UTC)

    deliver(client, stripe, "evt_2", "customer.subscription.updated", subscription("active"))
    deliver(client, stripe, "evt_3", "customer.subscription.updated", subscription("active", "professional"))
    record.refresh_from_db()
    assert (record.plan_key, record.status, record.api_tier, record.has_paid) == (
        "professional",
        "active",
        "professional",
        True,
    )

    deliver(client, stripe, "evt_4", "customer.subscription.updated", subscription("past_due", "professional"))
    record.refresh_from_db()
    assert (record.status, record.api_tier) == ("past_due", "professional")
    assert timedelta(0) <= datetime.now(UTC) - record.past_due_since < timedelta(minutes=1)

    deliver(client, stripe, "evt_5", "customer.subscription.deleted", subscription("canceled", "professional"))
    record.refresh_from_db()
    assert (record.status, record.api_tier, record.past_due_since) == ("canceled", "", None)
    utility.refresh_from_db()
    assert utility.stage == Stage.CHURNED
    assert stage_history(utility) == [
        (Stage.DEMO, Stage.TRIAL, Door.SUBSCRIPTION),
        (Stage.TRIAL, Stage.PAID, Door.SUBSCRIPTION),
        (Stage.PAID, Stage.CHURNED, Door.SUBSCRIPTION),
    ]
    assert PipelineEvent.objects.filter(utility=utility, to_stage=Stage.PAID).get().summary == (
        "Stripe sub_OpenLEGEW1: active"
    )


def test_a_replayed_event_changes_nothing(client, stripe, customer, utility):
    deliver(client, stripe, "evt_1", "customer.subscription.created", subscription("trialing"))
    fetches = len(stripe.calls)

    deliver(client, stripe, "evt_1", "customer.subscription.created", subscription("active"))

    assert len(stripe.calls) == fetches  # not even fetched again
    assert UtilitySubscription.objects.get(utility=utility).status == "trialing"
    assert stage_history(utility) == [(Stage.DEMO, Stage.TRIAL, Door.SUBSCRIPTION)]
    assert Event.objects.filter(id="evt_1").count() == 1


def test_out_of_order_events_leave_the_later_state(client, stripe, customer, utility):
    # The update arrives first; then the older creation, whose payload still says trialing: Stripe now says active.
    deliver(client, stripe, "evt_2", "customer.subscription.updated", subscription("active"))
    deliver(
        client,
        stripe,
        "evt_1",
        "customer.subscription.created",
        subscription("active"),
        payload_state=subscription("trialing"),
    )

    assert UtilitySubscription.objects.get(utility=utility).status == "active"
    utility.refresh_from_db()
    assert utility.stage == Stage.PAID
    assert stage_history(utility) == [(Stage.DEMO, Stage.PAID, Door.SUBSCRIPTION)]


def test_an_unknown_customer_is_acknowledged_and_changes_nothing(client, stripe, utility):
    Customer.sync_from_stripe_data(answer("customer"))  # a Stripe customer no utility subscribed as

    deliver(client, stripe, "evt_1", "customer.subscription.created", subscription("trialing"))

    assert UtilitySubscription.objects.count() == 0
    assert stage_history(utility) == []
    assert Event.objects.filter(id="evt_1").count() == 1


def test_a_move_the_pipeline_refuses_is_logged_not_a_500(client, stripe, customer, utility, caplog):
    utility.stage = Stage.PAID
    utility.save()

    deliver(client, stripe, "evt_1", "customer.subscription.created", subscription("trialing"))

    assert UtilitySubscription.objects.get(utility=utility).status == "trialing"
    assert stage_history(utility) == []
    assert "Pipeline refused paid → trial" in caplog.text


def test_a_failed_payment_starts_the_grace_period_from_stripes_current_state(client, stripe, customer, utility):
    deliver(client, stripe, "evt_1", "customer.subscription.created", subscription("active"))
    stripe.get(f"{API}/invoices/in_OpenLEGEW1", json=answer("invoice"))

    deliver(
        client, stripe, "evt_2", "invoice.payment_failed", subscription("past_due"), payload_state=answer("invoice")
    )

    record = UtilitySubscription.objects.get(utility=utility)
    assert (record.status, record.api_tier) == ("past_due", "starter")
    assert timedelta(0) <= datetime.now(UTC) - record.past_due_since < timedelta(minutes=1)
    assert stage_history(utility) == [(Stage.DEMO, Stage.PAID, Door.SUBSCRIPTION)]


def checkout_session(utility) -> dict:
    data = answer("checkout_session", client_reference_id=str(utility.pk))
    data["metadata"] = {**data["metadata"], "openleg_utility": str(utility.pk)}
    return data


def test_a_completed_checkout_links_stripes_new_customer_and_starts_the_trial(client, stripe, utility):
    Customer.sync_from_stripe_data(answer("customer"))  # made by Stripe's checkout, no subscriber yet
    session = checkout_session(utility)
    stripe.get(f"{API}/checkout/sessions/cs_test_OpenLEGEW1", json=session)

    deliver(client, stripe, "evt_1", "checkout.session.completed", subscription("trialing"), payload_state=session)

    assert Customer.objects.get(id="cus_OpenLEGEW1").subscriber == utility
    record = UtilitySubscription.objects.get(utility=utility)
    assert (record.plan_key, record.status, record.api_tier) == ("starter", "trialing", "starter")
    assert stage_history(utility) == [(Stage.DEMO, Stage.TRIAL, Door.SUBSCRIPTION)]


def test_a_checkout_for_an_unknown_utility_changes_nothing(client, stripe, utility):
    Customer.sync_from_stripe_data(answer("customer"))
    session = {**checkout_session(utility), "client_reference_id": "999999", "metadata": {}}
    stripe.get(f"{API}/checkout/sessions/cs_test_OpenLEGEW1", json=session)

    deliver(client, stripe, "evt_1", "checkout.session.completed", subscription("trialing"), payload_state=session)

    assert Customer.objects.get(id="cus_OpenLEGEW1").subscriber is None
    assert UtilitySubscription.objects.count() == 0
    assert stage_history(utility) == []


def test_unpaid_after_the_grace_period_churns_but_not_within_it(client, stripe, customer, utility, settings):
    settings.SUBSCRIPTION_GRACE_DAYS = 14
    deliver(client, stripe, "evt_1", "customer.subscription.created", subscription("active"))
    deliver(client, stripe, "evt_2", "customer.subscription.updated", subscription("past_due"))
    deliver(client, stripe, "evt_3", "customer.subscription.updated", subscription("unpaid"))
    utility.refresh_from_db()
    assert utility.stage == Stage.PAID  # still within the grace period

    UtilitySubscription.objects.filter(utility=utility).update(past_due_since=datetime.now(UTC) - timedelta(days=15))
    deliver(client, stripe, "evt_4", "customer.subscription.updated", subscription("unpaid"))

    utility.refresh_from_db()
    assert utility.stage == Stage.CHURNED
    assert stage_history(utility) == [
        (Stage.DEMO, Stage.PAID, Door.SUBSCRIPTION),
        (Stage.PAID, Stage.CHURNED, Door.SUBSCRIPTION),
    ]
    assert UtilitySubscription.objects.get(utility=utility).api_tier == ""
