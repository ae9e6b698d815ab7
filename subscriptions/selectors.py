"""Reads of a utility's subscription, from dj-stripe's copies of Stripe's objects (kept current by the webhooks)."""

from djstripe.models import Invoice, Subscription
from djstripe.settings import djstripe_settings

# A subscription in these states is the utility's: a new checkout would make a second one.
LIVE_STATUSES = ("active", "trialing", "past_due")


def current_subscription(utility) -> Subscription | None:
    """The utility's live subscription in the current mode (the newest, should Stripe hold two)."""
    return (
        Subscription.objects.filter(
            customer__subscriber=utility,
            livemode=djstripe_settings.STRIPE_LIVE_MODE,
            stripe_data__status__in=LIVE_STATUSES,
        )
        .order_by("-created")
        .first()
    )


def past_invoices(utility, *, limit: int = 24) -> list[Invoice]:
    """The utility's Stripe invoices, newest first (drafts are not shown: they are not invoices yet)."""
    invoices = Invoice.objects.filter(
        customer__subscriber=utility, livemode=djstripe_settings.STRIPE_LIVE_MODE
    ).exclude(stripe_data__status="draft")
    return list(invoices.order_by("-created")[:limit])
