from datetime import date

import pytest
from django_celery_beat.models import PeriodicTask

from pipeline.models import OutreachDraft, PipelineBriefing
from pipeline.tasks import daily_pipeline_review, weekly_outreach_queue
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr("pipeline.tasks.local_today", lambda: date(2026, 6, 15))


def test_beat_runs_the_review_daily_at_half_past_six_and_the_outreach_on_mondays_at_seven():
    entries = {
        task.task: task for task in PeriodicTask.objects.select_related("crontab").filter(task__startswith="pipeline.")
    }
    rows = {
        name: (
            entry.crontab.minute,
            entry.crontab.hour,
            entry.crontab.day_of_week,
            str(entry.crontab.timezone),
            entry.kwargs,
        )
        for name, entry in entries.items()
    }
    assert rows == {
        "pipeline.tasks.daily_pipeline_review": ("30", "6", "*", "Europe/Zurich", "{}"),
        "pipeline.tasks.weekly_outreach_queue": ("0", "7", "1", "Europe/Zurich", '{"limit": 10}'),
    }
    assert all(entry.enabled for entry in entries.values())


def test_the_daily_task_stores_todays_briefing_once():
    first = daily_pipeline_review()
    assert daily_pipeline_review() == first
    assert PipelineBriefing.objects.get().day == date(2026, 6, 15)


def test_the_weekly_task_queues_drafts_up_to_its_limit():
    UtilityFactory.create_batch(3, score=50)

    assert weekly_outreach_queue(limit=2) == 2
    assert weekly_outreach_queue() == 1
    assert OutreachDraft.objects.filter(door="task").count() == 3
