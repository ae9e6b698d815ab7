from celery import shared_task

from api.agent.jobs import job_run


@shared_task(time_limit=15 * 60, soft_time_limit=14 * 60, acks_late=True)
def agent_job_run(job_id: str) -> str:
    """Run the work an agent's tool started; safe to run twice (only a pending job is claimed). Returns its state."""
    return job_run(job_id=job_id).state
