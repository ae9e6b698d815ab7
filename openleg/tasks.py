from celery import shared_task

from openleg.heartbeat import heartbeat_stamp


@shared_task(name="openleg.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Sent by beat every minute: running it shows that a worker takes tasks from the queue."""
    heartbeat_stamp(component="worker")
