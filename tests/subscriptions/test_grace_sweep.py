"""The daily sweep: a subscription left unpaid beyond the grace period churns even when Stripe sends nothing more."""

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.models import Door, PipelineEvent, Stage
from subscriptions.models import UtilitySubscription
from subscriptions.sweeps import churn_after_grace
from subscriptions.tasks import subscriptions_churn_after_grace
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def overdue(stage: Stage, status: str, days: int, **fields) -> UtilitySubscription:
    utility = UtilityFactory(stage=stage)
    return UtilitySubscription.objects.create(
        utility=utility, plan_key="starter", status=status, past_due_since=NOW - timedelta(days=days), **fields
    )


def churn_events(utility) -> list[tuple[str, str, str, str]]:
    return list(
        PipelineEvent.objects.filter(utility=utility, kind=PipelineEvent.Kind.STAGE).values_list(
            "from_stage", "to_stage", "door", "summary"
        )
    )


def test_past_due_beyond_the_grace_period_churns_once_through_the_pipeline(settings):
    settings.SUBSCRIPTION_GRACE_DAYS = 14
    late = overdue(Stage.PAID, "past_due", 15, has_paid=True, api_tier="starter")
    within = overdue(Stage.PAID, "past_due", 14, has_paid=True, api_tier="starter")
    unpaid_trial = overdue(Stage.TRIAL, "unpaid", 30)

    assert churn_after_grace(now=NOW) == 2
    assert churn_after_grace(now=NOW) == 0

    for record in (late, within, unpaid_trial):
        record.utility.refresh_from_db()
        record.refresh_from_db()
    assert (late.utility.stage, within.utility.stage, unpaid_trial.utility.stage) == (
        Stage.CHURNED,
        Stage.PAID,
        Stage.CHURNED,
    )
    assert churn_events(late.utility) == [
        (Stage.PAID, Stage.CHURNED, Door.SUBSCRIPTION, "Zahlungsfrist abgelaufen (überfällig seit 22.11.2026)")
    ]
    assert churn_events(within.utility) == []
    assert (late.api_tier, within.api_tier) == ("", "starter")


def test_a_paid_or_already_churned_utility_is_left_alone(settings):
    settings.SUBSCRIPTION_GRACE_DAYS = 14
    paid = UtilitySubscription.objects.create(utility=UtilityFactory(stage=Stage.PAID), status="active")
    churned = overdue(Stage.CHURNED, "unpaid", 40)

    assert churn_after_grace(now=NOW) == 0
    assert churn_events(paid.utility) == churn_events(churned.utility) == []


def test_the_task_sweeps_with_the_current_time(settings):
    settings.SUBSCRIPTION_GRACE_DAYS = 14
    record = overdue(Stage.PAID, "past_due", 400, has_paid=True)

    assert subscriptions_churn_after_grace.delay().get() == 1
    record.utility.refresh_from_db()
    assert record.utility.stage == Stage.CHURNED


def test_beat_runs_the_sweep_daily():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="subscriptions.tasks.subscriptions_churn_after_grace")
    assert (task.name, task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == (
        "Abonnemente: nach der Zahlungsfrist auf «gekündigt» (täglich 05:30)",
        "5",
        "30",
        "Europe/Zurich",
    )
