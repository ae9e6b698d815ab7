import threading

import pytest
from django.db import connection
from django_celery_beat.models import PeriodicTask

from billing.models import BillingRun
from billing.services import billing_run_approve, billing_run_start
from billing.tasks import previous_month, run_billing_for_community, start_monthly_billing
from communities.models import CommunityStatus

pytestmark = pytest.mark.django_db


def test_beat_starts_the_previous_month_on_the_2nd_and_checks_daily():
    entries = {task.name: task for task in PeriodicTask.objects.select_related("crontab")}
    monthly = entries["Monatsabrechnung (am 2. des Monats)"]
    assert (monthly.task, monthly.crontab.day_of_month, monthly.crontab.hour, str(monthly.crontab.timezone)) == (
        "billing.tasks.start_monthly_billing",
        "2",
        "3",
        "Europe/Zurich",
    )
    daily = entries["Monatsabrechnung: fehlende Läufe starten (täglich)"]
    assert (daily.crontab.day_of_month, daily.kwargs) == ("*", '{"only_missing": true}')


def test_monthly_task_runs_every_active_community_as_a_group(
    march_community, monkeypatch, django_capture_on_commit_callbacks
):
    march_community.status = CommunityStatus.ACTIVE
    march_community.save()
    monkeypatch.setattr("billing.tasks.previous_month", lambda: (2026, 3))
    with django_capture_on_commit_callbacks(execute=True):
        assert start_monthly_billing() == 1
    run = BillingRun.objects.get()
    assert (run.community, run.year, run.month, run.status) == (march_community, 2026, 3, "draft")
    with django_capture_on_commit_callbacks(execute=True):
        assert start_monthly_billing(only_missing=True) == 0  # the safety net leaves existing runs alone


def test_task_is_safe_to_run_twice_and_leaves_frozen_months(march_community, staff_user):
    assert run_billing_for_community(march_community.pk, 2026, 3) == "draft"
    assert run_billing_for_community(march_community.pk, 2026, 3) == "draft"
    billing_run_approve(run=BillingRun.objects.get(), actor=staff_user)
    assert run_billing_for_community(march_community.pk, 2026, 3) == "run_frozen"
    assert BillingRun.objects.count() == 1


def test_previous_month_is_the_zurich_calendar_month(monkeypatch):
    from datetime import UTC, datetime

    monkeypatch.setattr("billing.tasks.utc_now", lambda: datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert previous_month() == (2026, 12)  # already 1 January in Zurich
    monkeypatch.setattr("billing.tasks.utc_now", lambda: datetime(2026, 3, 2, 10, tzinfo=UTC))
    assert previous_month() == (2026, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_starting_the_same_month_make_one_run(march_community):
    errors = []

    def work():
        try:
            billing_run_start(community=march_community, year=2026, month=3)
        except Exception as error:  # collected for the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert BillingRun.objects.filter(community=march_community, year=2026, month=3).count() == 1
