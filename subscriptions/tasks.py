from celery import shared_task

from subscriptions.sweeps import churn_after_grace


@shared_task(acks_late=True)
def subscriptions_churn_after_grace() -> int:
    """Daily: churn the utilities whose subscription stayed unpaid beyond the grace period; how many were."""
    return churn_after_grace()
