"""What a Stripe subscription changes in OpenLEG, applied from dj-stripe's webhook signals.

Each effect re-reads the subscription dj-stripe has just synced from Stripe by id, so events that arrive out of order
leave the latest state. Applying the same state twice changes nothing: the pipeline is only moved when its stage
differs, and the record is overwritten with the same values.
"""

import logging

from django.db import transaction
from django.utils import timezone
from djstripe.models import Subscription
from djstripe.utils import convert_tstamp

from pipeline.models import Door, Stage, Utility
from pipeline.services import StageChangeRefused, utility_stage_move
from subscriptions.gate import grace_ended
from subscriptions.models import UtilitySubscription
from subscriptions.plan_sync import PLAN_METADATA_KEY
from subscriptions.plans import PLANS
from subscriptions.services import UTILITY_METADATA_KEY

logger = logging.getLogger(__name__)


_STAGE_OF_STATUS = {"trialing": Stage.TRIAL, "active": Stage.PAID, "canceled": Stage.CHURNED}
_GRANTING_STATUSES = ("trialing", "active", "past_due")


def utility_of(subscription: Subscription) -> Utility | None:
    """The subscriber of the subscription's customer, else the utility its metadata names."""
    customer = subscription.customer
    if customer is not None and customer.subscriber_id:
        return customer.subscriber
    utility_id = (subscription.metadata or {}).get(UTILITY_METADATA_KEY, "")
    return Utility.objects.filter(pk=utility_id).first() if utility_id.isdigit() else None


def plan_key_of(subscription: Subscription) -> str:
    """The plan of the subscription's price (metadata or lookup key ``openleg_<plan>_<interval>``)."""
    for item in subscription.items.select_related("price"):
        price = item.price
        if price is None:
            continue
        key = (price.metadata or {}).get(PLAN_METADATA_KEY, "")
        if key in PLANS:
            return key
        parts = (price.lookup_key or "").split("_")
        if len(parts) == 3 and parts[1] in PLANS:
            return parts[1]
    key = (subscription.metadata or {}).get(PLAN_METADATA_KEY, "")
    return key if key in PLANS else ""


def subscription_apply(*, subscription_id: str) -> UtilitySubscription | None:
    """Bring the utility's record, API tier and pipeline stage in line with the synced subscription."""
    subscription = Subscription.objects.select_related("customer").filter(id=subscription_id).first()
    if subscription is None:
        logger.warning("Stripe subscription %s is not synced: nothing to apply", subscription_id)
        return None
    utility = utility_of(subscription)
    if utility is None:
        logger.warning(
            "Stripe subscription %s belongs to no known utility: acknowledged, nothing changed", subscription_id
        )
        return None
    status = str(subscription.status)
    with transaction.atomic():
        record, _created = UtilitySubscription.objects.select_for_update().get_or_create(utility=utility)
        plan_key = plan_key_of(subscription) or record.plan_key
        record.stripe_subscription_id = subscription.id
        record.plan_key = plan_key
        record.status = status
        record.current_period_end = _period_end(subscription)
        record.trial_end = subscription.trial_end
        if status in ("past_due", "unpaid"):
            record.past_due_since = record.past_due_since or timezone.now()
        else:
            record.past_due_since = None
        record.has_paid = record.has_paid or status == "active"
        record.api_tier = PLANS[plan_key].api_tier if plan_key and status in _GRANTING_STATUSES else ""
        record.save()
        stage = _STAGE_OF_STATUS.get(status)
        if status == "unpaid" and grace_ended(record):
            stage = Stage.CHURNED
        if stage is not None:
            stage_follow(utility, stage, note=f"Stripe {subscription.id}: {status}")
    return record


def _period_end(subscription: Subscription):
    # Since API version 2025-03-31 (basil) the period lives on the subscription's items.
    data = subscription.stripe_data or {}
    ends = [
        item["current_period_end"] for item in data.get("items", {}).get("data", []) if item.get("current_period_end")
    ]
    return convert_tstamp(max(ends)) if ends else subscription.current_period_end


def stage_follow(utility: Utility, stage: Stage, *, note: str) -> None:
    """Move the utility's pipeline stage through the subscription door, unless it is there already."""
    current = Utility.objects.only("stage").get(pk=utility.pk).stage
    if current == stage:
        return
    try:
        utility_stage_move(utility=utility, to_stage=stage, actor=None, door=Door.SUBSCRIPTION, note=note)
    except StageChangeRefused as refused:
        logger.warning("Pipeline refused %s → %s for utility %s: %s", current, stage, utility.pk, refused)
