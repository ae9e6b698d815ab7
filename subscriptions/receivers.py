"""dj-stripe's webhook signals, handed to the effects once dj-stripe has synced the event's object.

dj-stripe connects its own handlers when it starts, before this app's, so the object is already re-read from Stripe
and stored when these run; all of it inside the webhook's transaction.
"""

import logging

from djstripe.models import Customer, Subscription
from djstripe.signals import WEBHOOK_SIGNALS

from pipeline.models import Utility
from subscriptions.effects import subscription_apply
from subscriptions.services import UTILITY_METADATA_KEY

logger = logging.getLogger(__name__)

SUBSCRIPTION_EVENTS = (
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
)
INVOICE_EVENTS = ("invoice.paid", "invoice.payment_failed")


def on_subscription_event(sender, event, **kwargs):
    subscription_apply(subscription_id=event.data["object"]["id"])


def on_checkout_completed(sender, event, **kwargs):
    session = event.data["object"]
    utility = _checkout_utility(session)
    if utility is None:
        logger.warning("Checkout %s names no known utility: acknowledged, nothing changed", session.get("id"))
        return
    customer_id = session.get("customer")
    if customer_id:
        # The customer Stripe made in the checkout belongs to the utility that started it.
        Customer.objects.filter(id=customer_id, subscriber__isnull=True).update(subscriber=utility)
    subscription_id = session.get("subscription")
    if subscription_id:
        _sync_subscription(subscription_id, event)
        subscription_apply(subscription_id=subscription_id)


def on_invoice_event(sender, event, **kwargs):
    subscription_id = _invoice_subscription_id(event.data["object"])
    if not subscription_id:
        return
    _sync_subscription(subscription_id, event)
    subscription_apply(subscription_id=subscription_id)


def _checkout_utility(session: dict) -> Utility | None:
    reference = session.get("client_reference_id") or (session.get("metadata") or {}).get(UTILITY_METADATA_KEY) or ""
    return Utility.objects.filter(pk=reference).first() if str(reference).isdigit() else None


def _invoice_subscription_id(invoice: dict) -> str:
    # Since API version 2025-03-31 (basil) an invoice names its subscription under parent.subscription_details.
    details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
    subscription = details.get("subscription") or invoice.get("subscription") or ""
    return subscription if isinstance(subscription, str) else subscription.get("id", "")


def _sync_subscription(subscription_id: str, event) -> None:
    """Re-read the subscription from Stripe by id: its state now, whatever order the events came in."""
    data = Subscription(id=subscription_id).api_retrieve(api_key=event.default_api_key)
    Subscription.sync_from_stripe_data(data, api_key=event.default_api_key)


def connect() -> None:
    for name in SUBSCRIPTION_EVENTS:
        WEBHOOK_SIGNALS[name].connect(on_subscription_event, dispatch_uid=f"openleg-{name}")
    WEBHOOK_SIGNALS["checkout.session.completed"].connect(on_checkout_completed, dispatch_uid="openleg-checkout")
    for name in INVOICE_EVENTS:
        WEBHOOK_SIGNALS[name].connect(on_invoice_event, dispatch_uid=f"openleg-{name}")
