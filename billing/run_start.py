"""Starting billing runs from the console: what would happen per community, a batch of runs, and its progress.

The confirmation page shows ``run_start_plan``; confirming calls ``run_batch_start``, which records a ``RunBatch``
with one item per community to compute and queues, after commit, a Celery group of one task per item. Each task
calls ``run_batch_item_compute``, which runs ``billing_run_start`` (the same service as ``run_billing`` and the
beat) and records the outcome once: a conditional UPDATE of the still queued item, so a task run twice changes
nothing the second time.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actors import recorded_user
from billing.billable import billing_refusals, month_not_closed
from billing.models import BillingRun, RunBatch, RunBatchItem, RunStatus
from billing.services import billing_run_start
from communities.models import Community, CommunityStatus
from openleg.errors import DomainError
from openleg.periods import utc_now

logger = logging.getLogger(__name__)


class Action(StrEnum):
    NEW = "new"
    RECOMPUTE = "recompute"
    FROZEN = "frozen"
    REFUSED = "refused"


COMPUTED = (Action.NEW, Action.RECOMPUTE)


@dataclass(frozen=True)
class PlannedStart:
    """What confirming would do for one community: ``action``, said in German in ``message``."""

    community: Community
    action: Action
    message: str
    run: BillingRun | None = None

    @property
    def computes(self) -> bool:
        return self.action in COMPUTED


def communities_to_start(community_id: int | None) -> list[Community]:
    """One community, or every active community (by name) when ``community_id`` is None."""
    communities = Community.objects.select_related("utility").order_by("name", "pk")
    if community_id is None:
        return list(communities.filter(status=CommunityStatus.ACTIVE))
    return list(communities.filter(pk=community_id))


def run_start_plan(*, communities: list[Community], year: int, month: int) -> list[PlannedStart]:
    """Per community: a new run, the draft recomputed, or refused (frozen run named, or why it may not be billed).

    Three queries whatever the number of communities.
    """
    refusals = billing_refusals(communities=communities, year=year, month=month)
    live = {
        run.community_id: run
        for run in BillingRun.objects.filter(community__in=communities, year=year, month=month)
        .exclude(status=RunStatus.CANCELLED)
        .select_related("community")
    }
    plan = []
    for community in communities:
        run = live.get(community.pk)
        if run is not None and run.status != RunStatus.DRAFT:
            message = _(
                "Der Lauf %(run)s ist bereits %(status)s und wird nicht neu berechnet; "
                "für eine neue Abrechnung muss er zuerst storniert werden."
            ) % {"run": run, "status": run.get_status_display()}
            plan.append(PlannedStart(community, Action.FROZEN, message, run))
        elif community.pk in refusals:
            plan.append(PlannedStart(community, Action.REFUSED, refusals[community.pk].message, run))
        elif run is not None:
            message = _("Der Entwurf %(run)s wird neu berechnet.") % {"run": run}
            plan.append(PlannedStart(community, Action.RECOMPUTE, message, run))
        else:
            message = _("Ein neuer Lauf für %(month)02d/%(year)s wird erstellt.") % {"month": month, "year": year}
            plan.append(PlannedStart(community, Action.NEW, message))
    return plan


def run_batch_start(*, community_id: int | None, year: int, month: int, actor) -> RunBatch:
    """Record a batch of the communities that can be computed now and queue one task per community after commit."""
    from billing.tasks import compute_run_batch_item  # the tasks module imports this one

    closed = month_not_closed(year, month)
    if closed:
        raise closed
    plan = run_start_plan(communities=communities_to_start(community_id), year=year, month=month)
    to_compute = [planned.community for planned in plan if planned.computes]
    if not to_compute:
        raise DomainError(
            _(
                "Für %(month)02d/%(year)s kann keine der gewählten Gemeinschaften berechnet werden; "
                "nichts wurde gestartet."
            )
            % {"month": month, "year": year},
            code="nothing_to_start",
        )
    with transaction.atomic():
        batch = RunBatch.objects.create(year=year, month=month, created_by=recorded_user(actor))
        items = RunBatchItem.objects.bulk_create(
            [RunBatchItem(batch=batch, community=community) for community in to_compute]
        )
        item_ids = [item.pk for item in items]
        transaction.on_commit(lambda: _queue(compute_run_batch_item, item_ids))
    return batch


def _queue(task, item_ids: list[int]) -> None:
    from celery import group

    group(task.s(item_id) for item_id in item_ids).apply_async()


def run_batch_item_compute(*, item_id: int) -> RunBatchItem:
    """Compute one community of a batch and record done, refused (the sentence) or failed (the error), once."""
    item = RunBatchItem.objects.select_related("batch__created_by", "community__utility").get(pk=item_id)
    if item.state != RunBatchItem.State.QUEUED:
        return item
    batch = item.batch
    run = None
    try:
        run = billing_run_start(community=item.community, year=batch.year, month=batch.month, actor=batch.created_by)
    except DomainError as error:
        state, message = RunBatchItem.State.REFUSED, error.message
    except Exception as error:  # recorded on the item: one community's failure must not stop the others
        logger.exception("billing run of community %s for %02d/%s failed", item.community_id, batch.month, batch.year)
        state = RunBatchItem.State.FAILED
        message = _("Unerwarteter Fehler: %(error)s") % {"error": f"{type(error).__name__}: {error}"}
    else:
        state = RunBatchItem.State.DONE
        message = _("%(blocking)s blockierende Probleme, %(deviations)s Abweichungen zum VNB.") % {
            "blocking": run.blocking_issues,
            "deviations": run.deviations,
        }
    if run is None:
        # a refused month may still have its live run (an approved one): the progress page links to it
        run = (
            BillingRun.objects.filter(community=item.community, year=batch.year, month=batch.month)
            .exclude(status=RunStatus.CANCELLED)
            .first()
        )
    RunBatchItem.objects.filter(pk=item.pk, state=RunBatchItem.State.QUEUED).update(
        state=state, run=run, message=message, finished_at=utc_now()
    )
    item.refresh_from_db()
    return item


@dataclass(frozen=True)
class BatchProgress:
    batch: RunBatch
    items: list[RunBatchItem]
    counts: Counter

    @property
    def finished(self) -> int:
        return len(self.items) - self.counts[RunBatchItem.State.QUEUED]

    @property
    def waiting(self) -> bool:
        return self.counts[RunBatchItem.State.QUEUED] > 0


def run_batch_progress(*, batch_id: int) -> BatchProgress:
    """The batch and its items with community and run (two queries whatever the batch's size)."""
    batch = RunBatch.objects.select_related("created_by").get(pk=batch_id)
    items = list(
        RunBatchItem.objects.filter(batch=batch)
        .select_related("community", "run__community")
        .order_by("community__name", "pk")
    )
    return BatchProgress(batch, items, Counter(item.state for item in items))
