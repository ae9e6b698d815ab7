"""Starting a subscription and managing it: the utility goes to Stripe Checkout or to Stripe's customer portal.

Nothing here changes a subscription: Stripe does, and its webhooks bring the result back (subscriptions/webhooks.py).
What we keep is the link between the utility and its Stripe customer (dj-stripe's subscriber).
"""

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from djstripe.models import Customer, Price
from djstripe.settings import djstripe_settings

from accounts.actors import recorded_user
from openleg.errors import DomainError
from subscriptions import stripe_api
from subscriptions.plan_sync import PLAN_METADATA_KEY, lookup_key
from subscriptions.plans import INTERVALS, PLANS
from subscriptions.selectors import current_subscription

logger = logging.getLogger(__name__)

UTILITY_METADATA_KEY = "openleg_utility"


def utility_customer(utility) -> Customer:
    """The utility's Stripe customer in the current mode, created once (named as the utility, so that Stripe's
    invoices carry its name) and linked to it as dj-stripe's subscriber."""
    livemode = djstripe_settings.STRIPE_LIVE_MODE
    customer = Customer.objects.filter(subscriber=utility, livemode=livemode).first()
    if customer is not None:
        return customer
    mode = "live" if livemode else "test"
    data = stripe_api.customer_create(
        name=utility.name,
        email=utility.email or None,
        metadata={djstripe_settings.SUBSCRIBER_CUSTOMER_KEY: str(utility.pk), UTILITY_METADATA_KEY: str(utility.pk)},
        # Two clicks at once make one Stripe customer: Stripe answers the second with the first's customer.
        idempotency_key=f"openleg-customer-{mode}-{utility.pk}",
    )
    try:
        with transaction.atomic():
            # dj-stripe links the subscriber from the metadata's SUBSCRIBER_CUSTOMER_KEY.
            return Customer.sync_from_stripe_data(data)
    except IntegrityError:  # another request linked the same utility first
        return Customer.objects.get(subscriber=utility, livemode=livemode)


def checkout_start(
    utility, plan: str, interval: str, *, actor, success_url: str, cancel_url: str, return_url: str | None = None
) -> str:
    """The URL to send the utility's user to: Stripe Checkout for a new subscription to ``plan`` paid every
    ``interval``, or the customer portal when the utility already has a live subscription (one is enough); the
    portal comes back to ``return_url`` (default ``cancel_url``)."""
    if plan not in PLANS or interval not in INTERVALS:
        raise DomainError(_("Diesen Plan gibt es nicht."), code="unknown_plan")
    if current_subscription(utility) is not None:
        return portal_start(utility, return_url=return_url or cancel_url)
    price = Price.objects.filter(lookup_key=lookup_key(plan, interval), active=True).first()
    if price is None:
        raise DomainError(
            _("Der Plan ist in Stripe noch nicht angelegt (python manage.py stripe_plans sync)."),
            code="plan_not_synced",
        )
    customer = utility_customer(utility)
    metadata = {UTILITY_METADATA_KEY: str(utility.pk), "openleg_utility_name": utility.name, PLAN_METADATA_KEY: plan}
    subscription_data = {"metadata": {UTILITY_METADATA_KEY: str(utility.pk), PLAN_METADATA_KEY: plan}}
    if PLANS[plan].trial_days:
        subscription_data["trial_period_days"] = PLANS[plan].trial_days
    user = recorded_user(actor)
    if user is not None:
        metadata["openleg_started_by"] = user.get_username()
    session = stripe_api.checkout_session_create(
        {
            "mode": "subscription",
            "customer": customer.id,
            "client_reference_id": str(utility.pk),
            "line_items": [{"price": price.id, "quantity": 1}],
            "metadata": metadata,
            "subscription_data": subscription_data,
            "locale": "de",
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
    )
    logger.info("Checkout %s started for utility %s, plan %s/%s, by %s", session.id, utility.pk, plan, interval, user)
    return session.url


def portal_start(utility, *, return_url: str) -> str:
    """The URL of a Stripe customer portal session for the utility (payment method, plan change, cancellation)."""
    customer = utility_customer(utility)
    return stripe_api.billing_portal_session_create(customer=customer.id, return_url=return_url).url
