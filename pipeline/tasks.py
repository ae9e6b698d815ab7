"""Beat entries of the pipeline (migration 0004, editable in the admin): each computes today in Zurich and
calls one function of ``pipeline.reviews``. Both are safe to run twice."""

from celery import shared_task

from openleg.periods import local_today
from pipeline import reviews


@shared_task(time_limit=5 * 60, soft_time_limit=4 * 60, acks_late=True)
def daily_pipeline_review() -> int:
    """Today's briefing (one row per day, refreshed on a second run); returns its id."""
    return reviews.pipeline_daily_review(today=local_today()).pk


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, acks_late=True)
def weekly_outreach_queue(limit: int = 10) -> int:
    """Drafts for the best-scored quiet leads; a utility with an open draft gets none. Returns how many."""
    return len(reviews.pipeline_weekly_outreach(today=local_today(), limit=limit))
