"""A Celery worker killed while it computes a billing run: the task comes back, the run is computed once, and a
run whose computation never committed cannot be approved."""

import signal

import pytest

from billing.models import BillingRun, RunBatchItem, RunStatus, StatementLine
from billing.run_start import run_batch_start
from billing.services import billing_run_approve, billing_run_start
from openleg.errors import DomainError
from tests.billing.conftest import march_community  # noqa: F401  (five participants, March 2026)
from tests.faults.workers.conftest import until

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TASK = "billing.tasks.run_billing_for_community"
# Written after the run's day rows, in the same transaction: a task waiting for it has half its work done.
LATE_TABLE = "billing_statementline"


def _figures(run: BillingRun) -> tuple:
    run.refresh_from_db()
    lines = StatementLine.objects.filter(run=run)
    return (
        run.status,
        run.days.count(),
        sum(run.days.values_list("leg_wh", flat=True)),
        lines.count(),
        sum(amount for amount in lines.values_list("amount_chf", flat=True) if amount is not None),
        run.totals,
    )


def _assert_computed_once_and_like_an_undisturbed_run(community) -> None:
    run = BillingRun.objects.get(community=community, year=2026, month=3)
    after_fault = _figures(run)
    assert after_fault[:2] == (RunStatus.DRAFT, 5 * 31)
    assert after_fault[2] > 0
    # The same month computed again here, undisturbed, gives the same figures into the same run.
    assert billing_run_start(community=community, year=2026, month=3).pk == run.pk
    assert _figures(run) == after_fault
    assert BillingRun.objects.filter(community=community).count() == 1


def test_worker_killed_mid_run_the_task_comes_back_after_the_visibility_timeout(
    march_community,  # noqa: F811
    broker,
    processes,
    database,
    private_redis,
    staff_user,
):
    first = processes.worker(visibility_timeout=4)
    with database.table_lock(LATE_TABLE):
        broker(TASK, march_community.pk, 2026, 3)
        stuck = until(lambda: database.waiting_for(LATE_TABLE), timeout=60, what="the task mid-run", log=first.log)
        first.kill()
    until(lambda: database.backends_gone(stuck), timeout=30, what="the dead worker's transaction to end")

    # The claim of the month was committed before the figures; they were rolled back with the worker.
    run = BillingRun.objects.get(community=march_community, year=2026, month=3)
    assert (run.status, run.computed_at, run.days.count(), StatementLine.objects.filter(run=run).count()) == (
        RunStatus.DRAFT,
        None,
        0,
        0,
    )
    with pytest.raises(DomainError) as refused:
        billing_run_approve(run=run, actor=staff_user)
    assert refused.value.message == "Der Lauf wurde nie fertig berechnet. Bitte berechnen Sie ihn neu."
    assert private_redis.waiting() == (0, 1)  # the message is held for the dead worker, not lost

    second = processes.worker(visibility_timeout=4)
    until(
        lambda: BillingRun.objects.filter(pk=run.pk, computed_at__isnull=False).exists(),
        timeout=60,
        what="the task delivered again",
        log=second.log,
    )
    until(lambda: private_redis.waiting() == (0, 0), timeout=30, what="the acknowledgement", log=second.log)
    _assert_computed_once_and_like_an_undisturbed_run(march_community)


def test_pool_process_killed_mid_run_the_task_is_requeued_at_once(
    march_community,  # noqa: F811
    broker,
    processes,
    database,
    private_redis,
):
    # A long visibility timeout: what brings the task back is task_reject_on_worker_lost, not the timeout.
    worker = processes.worker(visibility_timeout=600)
    with database.table_lock(LATE_TABLE):
        broker(TASK, march_community.pk, 2026, 3)
        first = until(lambda: database.waiting_for(LATE_TABLE), timeout=60, what="the task mid-run", log=worker.log)
        worker.kill_pool_child()
        # The worker's next pool process takes the same message again; it waits for the run, which the killed
        # process's transaction still holds until the lock is released and PostgreSQL sees its client gone.
        until(
            lambda: [pid for pid in database.waiting() if pid not in first],
            timeout=60,
            what="the task requeued to a new pool process",
            log=worker.log,
        )
    until(
        lambda: BillingRun.objects.filter(computed_at__isnull=False).exists(),
        timeout=60,
        what="the run computed",
        log=worker.log,
    )
    until(lambda: private_redis.waiting() == (0, 0), timeout=30, what="the acknowledgement", log=worker.log)
    assert "WorkerLostError" in worker.log.read_text()
    _assert_computed_once_and_like_an_undisturbed_run(march_community)


def test_warm_shutdown_mid_run_finishes_the_task_and_acknowledges_it(
    march_community,  # noqa: F811
    broker,
    processes,
    database,
    private_redis,
):
    worker = processes.worker(visibility_timeout=600)
    with database.table_lock(LATE_TABLE):
        broker(TASK, march_community.pk, 2026, 3)
        until(lambda: database.waiting_for(LATE_TABLE), timeout=60, what="the task mid-run", log=worker.log)
        worker.popen.send_signal(signal.SIGTERM)
        until(lambda: "Warm shutdown" in worker.log.read_text(), timeout=30, what="the warm shutdown", log=worker.log)
        assert worker.popen.poll() is None  # it waits for the running task
    assert worker.popen.wait(timeout=60) == 0
    assert private_redis.waiting() == (0, 0)  # finished and acknowledged: nothing comes back
    _assert_computed_once_and_like_an_undisturbed_run(march_community)


def test_worker_killed_mid_batch_item_the_console_s_item_ends_done_once(
    march_community,  # noqa: F811
    broker,
    processes,
    database,
    private_redis,
    staff_user,
    monkeypatch,
):
    # The console queues one task per community after commit: to the (private) Redis, not eagerly here.
    monkeypatch.setattr(
        "billing.run_start._queue",
        lambda task, item_ids: [broker("billing.tasks.compute_run_batch_item", pk) for pk in item_ids],
    )
    first = processes.worker(visibility_timeout=4)
    with database.table_lock(LATE_TABLE):
        batch = run_batch_start(community_id=march_community.pk, year=2026, month=3, actor=staff_user)
        stuck = until(lambda: database.waiting_for(LATE_TABLE), timeout=60, what="the item mid-run", log=first.log)
        first.kill()
    until(lambda: database.backends_gone(stuck), timeout=30, what="the dead worker's transaction to end")
    (item,) = RunBatchItem.objects.filter(batch=batch)
    assert (item.state, item.run_id, item.finished_at) == (RunBatchItem.State.QUEUED, None, None)  # "wartet"

    second = processes.worker(visibility_timeout=4)
    until(
        lambda: RunBatchItem.objects.filter(pk=item.pk, state=RunBatchItem.State.DONE).exists(),
        timeout=60,
        what="the item delivered again",
        log=second.log,
    )
    until(lambda: private_redis.waiting() == (0, 0), timeout=30, what="the acknowledgement", log=second.log)
    item.refresh_from_db()
    run = BillingRun.objects.get(community=march_community, year=2026, month=3)
    assert (item.run_id, item.message) == (
        run.pk,
        f"{run.blocking_issues} blockierende Probleme, {run.deviations} Abweichungen zum VNB.",
    )
    _assert_computed_once_and_like_an_undisturbed_run(march_community)
