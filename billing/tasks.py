import logging

from celery import group, shared_task
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

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


# How far back the daily safety net looks for months that beat missed (it was down over several month ends).
CATCH_UP_MONTHS = 3


def _months_up_to(year: int, month: int, count: int) -> list[tuple[int, int]]:
    """``count`` calendar months ending with ``year``/``month``, the oldest first."""
    index = year * 12 + month - 1
    return [(i // 12, i % 12 + 1) for i in range(index - count + 1, index + 1)]


def _to_start(year: int, month: int, *, only_missing: bool, latest: bool) -> list[Community]:
    """The active communities whose month is to be (re)computed.

    A month before the previous one is started only for a community with a run of an earlier month: billing in
    OpenLEG was under way, so a month without a run was missed (a community's earlier history may have been billed
    elsewhere).
    """
    settled = Q(status__in=[RunStatus.APPROVED, RunStatus.ISSUED])
    if only_missing:
        # A draft whose computation never committed (its worker died) is missing too.
        settled |= Q(status=RunStatus.DRAFT, computed_at__isnull=False)
    # One subquery on the runs of this month: conditions across a multi-valued relation in a single exclude()
    # may each match a different run (any run of the year, any run of a March), and skip the community.
    done = BillingRun.objects.filter(settled, year=year, month=month).values("community")
    communities = Community.objects.filter(status=CommunityStatus.ACTIVE).exclude(pk__in=done)
    if not latest:
        earlier = BillingRun.objects.exclude(status=RunStatus.CANCELLED).filter(
            Q(year__lt=year) | Q(year=year, month__lt=month), community=OuterRef("pk")
        )
        communities = communities.filter(Exists(earlier))
    return list(communities.order_by("pk"))


@shared_task
def start_monthly_billing(only_missing: bool = False) -> int:
    """Beat: the previous month of every active community, as a group of one task per community and month.

    On the 2nd every draft is (re)computed; the daily safety net (``only_missing``) starts only months that
    have no run yet or a run that was never computed (its worker died), because beat can miss a monthly entry;
    it looks back ``CATCH_UP_MONTHS`` months, for beat down over several month ends. Communities that may not be
    billed for a month (not started in it, no members) are skipped, not failed. Returns how many runs it started.
    """
    year, month = previous_month()
    jobs = []
    for y, m in _months_up_to(year, month, CATCH_UP_MONTHS if only_missing else 1):
        communities = _to_start(y, m, only_missing=only_missing, latest=(y, m) == (year, month))
        refusals = billing_refusals(communities=communities, year=y, month=m)
        for refusal in refusals.values():
            logger.info("monthly billing skipped: %s", refusal.message)
        jobs += [run_billing_for_community.s(c.pk, y, m) for c in communities if c.pk not in refusals]
    transaction.on_commit(group(jobs).apply_async)
    return len(jobs)
