"""Beat down over a month end: the daily safety net starts exactly the runs the 2nd did not, and no more."""

from datetime import UTC, datetime

import pytest

from billing.models import BillingRun, RunStatus
from billing.services import _claim_run, billing_run_approve
from billing.tasks import start_monthly_billing
from openleg.errors import DomainError
from openleg.periods import local_month

pytestmark = [pytest.mark.django_db, pytest.mark.faults]

# 3 April 2026, 06:30 in Zurich (CEST): the daily safety net's hour, the day after the monthly entry's.
THIRD_OF_APRIL = datetime(2026, 4, 3, 4, 30, tzinfo=UTC)


@pytest.fixture
def clock_on_the_3rd(monkeypatch):
    """The clock stands on the 3rd for the task and for the check that the month is over."""
    for module in ("billing.tasks", "billing.billable"):
        monkeypatch.setattr(f"{module}.utc_now", lambda: THIRD_OF_APRIL)


def _history(community, year: int, month: int) -> BillingRun:
    """An issued run of an earlier month, as the community's past leaves it."""
    period = local_month(year, month)
    return BillingRun.objects.create(
        community=community,
        year=year,
        month=month,
        period_start=period.start,
        period_end=period.end,
        quarter_hours=period.quarter_hours,
        status=RunStatus.ISSUED,
        method="proportional",
        computed_at=period.end,
    )


def _safety_net(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return start_monthly_billing(only_missing=True)


def test_the_safety_net_on_the_3rd_starts_the_month_the_2nd_missed_once(
    march_community, clock_on_the_3rd, django_capture_on_commit_callbacks
):
    # Runs of other months whose year (2026) and month (March) each match the missing one: the safety net must ask
    # about one run of March 2026, not about any run of 2026 and any run of a March.
    for year, month in ((2025, 3), (2026, 1), (2026, 2)):
        _history(march_community, year, month)
    assert not BillingRun.objects.filter(year=2026, month=3).exists()  # the 2nd passed while beat was down

    assert _safety_net(django_capture_on_commit_callbacks) == 1

    run = BillingRun.objects.get(year=2026, month=3)
    assert (run.community, run.status, run.quarter_hours) == (march_community, RunStatus.DRAFT, 2972)
    assert run.computed_at is not None
    assert run.days.count() == 5 * 31
    assert _safety_net(django_capture_on_commit_callbacks) == 0
    assert BillingRun.objects.filter(year=2026, month=3).count() == 1
    assert BillingRun.objects.get(year=2026, month=3).computed_at == run.computed_at  # not computed again


def test_the_monthly_entry_recomputes_a_draft_whatever_the_community_s_other_runs(
    march_community, clock_on_the_3rd, django_capture_on_commit_callbacks
):
    _history(march_community, 2025, 3)
    _history(march_community, 2026, 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert start_monthly_billing() == 1
    first = BillingRun.objects.get(year=2026, month=3).computed_at
    with django_capture_on_commit_callbacks(execute=True):
        assert start_monthly_billing() == 1  # the 2nd recomputes drafts; an issued month of the past does not stop it
    assert BillingRun.objects.get(year=2026, month=3).computed_at > first


def test_a_run_claimed_by_a_worker_that_died_is_refused_for_approval_and_computed_by_the_safety_net(
    march_community, clock_on_the_3rd, django_capture_on_commit_callbacks, staff_user
):
    # What a worker leaves when it dies after claiming the month: the claim is committed, the figures never were.
    claimed = _claim_run(march_community, 2026, 3, None)
    assert (claimed.status, claimed.computed_at, claimed.days.count()) == (RunStatus.DRAFT, None, 0)

    with pytest.raises(DomainError) as refused:
        billing_run_approve(run=claimed, actor=staff_user)
    assert refused.value.code == "not_computed"
    assert str(refused.value.message) == "Der Lauf wurde nie fertig berechnet. Bitte berechnen Sie ihn neu."
    assert BillingRun.objects.get(pk=claimed.pk).status == RunStatus.DRAFT

    assert _safety_net(django_capture_on_commit_callbacks) == 1
    run = BillingRun.objects.get(year=2026, month=3)
    assert run.pk == claimed.pk
    assert run.computed_at is not None
    assert run.days.count() == 5 * 31
    assert _safety_net(django_capture_on_commit_callbacks) == 0


@pytest.mark.parametrize(
    ("last_run", "due"),
    [
        (datetime(2026, 3, 2, 2, 0, tzinfo=UTC), True),  # 2 March, 03:00 in Zurich: the 2 April passed unseen
        (datetime(2026, 4, 2, 1, 0, tzinfo=UTC), False),  # 2 April, 03:00 in Zurich (CEST): it ran
    ],
)
def test_beat_back_on_the_3rd_sends_a_missed_monthly_entry_once_at_start(monkeypatch, last_run, due):
    """Celery's crontab, as django-celery-beat's scheduler asks it: an occurrence missed since the entry's last run
    makes it due at once (one run, however many occurrences were missed; beat_cron_starting_deadline is unset)."""
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry
    from django_celery_beat.tzcrontab import TzAwareCrontab

    from openleg.celery import app

    monkeypatch.setattr(TzAwareCrontab, "nowfunc", lambda self: THIRD_OF_APRIL.astimezone(self.tz))
    monthly = PeriodicTask.objects.get(name="Monatsabrechnung (am 2. des Monats)")
    monthly.last_run_at = last_run
    monthly.save()

    assert ModelEntry(PeriodicTask.objects.get(pk=monthly.pk), app=app).is_due()[0] is due


# 5 May 2026, 06:30 in Zurich: beat was down from the end of March, the 2nd of April and of May passed unseen.
FIFTH_OF_MAY = datetime(2026, 5, 5, 4, 30, tzinfo=UTC)


@pytest.fixture
def clock_on_the_5th_of_may(monkeypatch):
    for module in ("billing.tasks", "billing.billable"):
        monkeypatch.setattr(f"{module}.utc_now", lambda: FIFTH_OF_MAY)


def test_beat_down_for_two_month_ends_the_safety_net_starts_both_months_of_a_billed_community(
    march_community, clock_on_the_5th_of_may, django_capture_on_commit_callbacks
):
    _history(march_community, 2026, 2)  # billing in OpenLEG is under way: a month without a run is a missed one

    assert _safety_net(django_capture_on_commit_callbacks) == 2

    started = BillingRun.objects.filter(community=march_community, year=2026, month__in=[3, 4]).order_by("month")
    assert [(run.month, run.status, run.computed_at is not None) for run in started] == [
        (3, RunStatus.DRAFT, True),
        (4, RunStatus.DRAFT, True),
    ]
    assert _safety_net(django_capture_on_commit_callbacks) == 0
    assert BillingRun.objects.filter(community=march_community).count() == 3


def test_the_safety_net_goes_back_three_months_at_most_and_not_before_a_community_s_first_run(
    march_community, clock_on_the_5th_of_may, django_capture_on_commit_callbacks
):
    _history(march_community, 2025, 12)  # then nothing: January to April missed
    assert _safety_net(django_capture_on_commit_callbacks) == 3
    assert sorted(BillingRun.objects.filter(year=2026).values_list("month", flat=True)) == [2, 3, 4]


def test_a_community_never_billed_gets_only_the_previous_month_from_the_safety_net(
    march_community, clock_on_the_5th_of_may, django_capture_on_commit_callbacks
):
    # Its earlier months may have been billed before OpenLEG: the console starts them if they are wanted.
    assert _safety_net(django_capture_on_commit_callbacks) == 1
    assert list(BillingRun.objects.values_list("year", "month")) == [(2026, 4)]
