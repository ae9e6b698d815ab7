"""The daily sweep of subscriptions whose grace period ran out without a further word from Stripe.

Stripe may leave a subscription ``past_due`` for weeks (its retry schedule), so waiting for its next event would
keep a utility that stopped paying in the ``paid`` stage. The sweep churns it through the pipeline's subscription
door and withdraws the API tier; a later payment (``active`` from Stripe) brings both back through the webhooks.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openleg.formats import format_day
from pipeline.models import Stage
from subscriptions.effects import stage_follow
from subscriptions.gate import UNPAID_STATUSES
from subscriptions.models import UtilitySubscription


def churn_after_grace(*, now: datetime | None = None) -> int:
    """Churn every utility past due beyond ``SUBSCRIPTION_GRACE_DAYS`` that is not churned yet; how many were."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SUBSCRIPTION_GRACE_DAYS)
    overdue = UtilitySubscription.objects.filter(status__in=UNPAID_STATUSES, past_due_since__lt=cutoff).exclude(
        utility__stage=Stage.CHURNED
    )
    churned = 0
    for record in overdue.select_related("utility").order_by("pk"):
        with transaction.atomic():
            since = format_day(record.past_due_since)
            note = _("Zahlungsfrist abgelaufen (überfällig seit %(date)s)") % {"date": since}
            stage_follow(record.utility, Stage.CHURNED, note=note)
            UtilitySubscription.objects.filter(pk=record.pk).update(api_tier="")
        churned += 1
    return churned
