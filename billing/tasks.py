import logging

from celery import group, shared_task
from django.db import transaction
from django.db.models import Q

from billing.billable import billing_refusals
from billing.models import BillingRun, RunStatus
from billing.run_start import run_batch_item_compute
from billing.services import billing_run_start
from communities.models import Community, CommunityStatus
from openleg.errors import DomainError
from openleg.periods import ZURICH, utc_now

logger = logging.getLogger(__name__)


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, acks_late=True)
def run_billing_for_community(community_id: int, year: int, month: int) -> str:
    """Compute one community's month; a frozen or refused month is left alone (safe to run twice)."""
    community = Community.objects.select_related("utility").get(pk=community_id)
    try:
        run = billing_run_start(community=community, year=year, month=month)
    except DomainError as error:
        return error.code
    return run.status


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, acks_late=True)
def compute_run_batch_item(item_id: int) -> str:
    """One community of a batch started from the console; the outcome is recorded on the item (safe to run twice)."""
    return run_batch_item_compute(item_id=item_id).state


def previous_month() -> tuple[int, int]:
    today = utc_now().astimezone(ZURICH).date()
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


@shared_task
def start_monthly_billing(only_missing: bool = False) -> int:
    """Beat: the previous month of every active community, as a group of one task per community.

    On the 2nd every draft is (re)computed; the daily safety net (``only_missing``) starts only months that
    have no run yet or a run that was never computed (its worker died), because beat can miss a monthly entry.
    Communities that may not be billed for the month (not started in it, no members) are skipped, not failed.
    """
    year, month = previous_month()
    settled = Q(status__in=[RunStatus.APPROVED, RunStatus.ISSUED])
    if only_missing:
        # A draft whose computation never committed (its worker died) is missing too.
        settled |= Q(status=RunStatus.DRAFT, computed_at__isnull=False)
    # One subquery on the runs of this month: conditions across a multi-valued relation in a single exclude()
    # may each match a different run (any run of the year, any run of a March), and skip the community.
    done = BillingRun.objects.filter(settled, year=year, month=month).values("community")
    communities = list(Community.objects.filter(status=CommunityStatus.ACTIVE).exclude(pk__in=done))
    refusals = billing_refusals(communities=communities, year=year, month=month)
    for refusal in refusals.values():
        logger.info("monthly billing skipped: %s", refusal.message)
    ids = [community.pk for community in communities if community.pk not in refusals]
    jobs = group(run_billing_for_community.s(pk, year, month) for pk in ids)
    transaction.on_commit(jobs.apply_async)
    return len(ids)
