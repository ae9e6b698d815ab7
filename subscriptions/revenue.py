"""Recurring revenue from the subscription records: MRR in CHF from the plan table, and subscriptions per plan.

MRR counts subscriptions that are billed (active, and past due until they end); a trial is not revenue yet. Live
subscriptions per plan count trials too. Prices come from ``subscriptions.plans``, never from Stripe's amounts.
"""

from collections import Counter
from decimal import Decimal

from django.db.models import Q, QuerySet
from djstripe.models import Customer, Event

from subscriptions.models import UtilitySubscription
from subscriptions.plans import PLANS

BILLED_STATUSES = ("active", "past_due", "unpaid")
LIVE_STATUSES = ("trialing", *BILLED_STATUSES)


def monthly_chf(record: UtilitySubscription) -> Decimal:
    """What the record adds to MRR: the plan's monthly price while billed, else nothing."""
    plan = PLANS.get(record.plan_key)
    if plan is None or record.status not in BILLED_STATUSES:
        return Decimal("0.00")
    return plan.monthly_chf.quantize(Decimal("0.01"))


def subscription_figures(*, canton: str | None = None) -> dict:
    """MRR and, per plan of the table, the live subscriptions and their MRR; money as decimal strings."""
    records = UtilitySubscription.objects.filter(status__in=LIVE_STATUSES).only("plan_key", "status")
    if canton:
        records = records.filter(utility__canton=canton)
    counts, revenue = Counter(), Counter()
    for record in records:
        counts[record.plan_key] += 1
        revenue[record.plan_key] += monthly_chf(record)
    return {
        "mrr_chf": str(sum(revenue.values(), Decimal("0.00"))),
        "plans": [
            {
                "plan": plan.key,
                "label": str(plan.name),
                "subscriptions": counts[plan.key],
                "mrr_chf": str(revenue[plan.key] or Decimal("0.00")),
            }
            for plan in PLANS.values()
        ],
    }


def subscription_events(record: UtilitySubscription) -> QuerySet[Event]:
    """The Stripe events received about the utility's customer or subscription, newest first."""
    customers = list(Customer.objects.filter(subscriber_id=record.utility_id).values_list("id", flat=True))
    about = Q(data__object__customer__in=customers) | Q(data__object__id__in=customers)
    if record.stripe_subscription_id:
        about |= Q(data__object__id=record.stripe_subscription_id)
    return Event.objects.filter(about).order_by("-created", "-id")
