"""Work a tool hands to the background: the job is recorded, a Celery task runs it after commit, and the agent
asks for its state with ``get_job_status``.

Each writing tool registers the work its jobs do (``job_work``); the task claims a pending job with a conditional
UPDATE, so a task delivered twice runs the work once.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from api.agent.caller import Caller
from api.agent.calls import domain_refusal
from api.agent.registry import ToolAnswer
from api.errors import ApiError
from api.models import AgentJob
from openleg.errors import DomainError
from openleg.periods import utc_now

logger = logging.getLogger(__name__)

JOB_WORK: dict[str, Callable[[Caller, dict], dict]] = {}
STATUS_URL = "/api/agent/v1/get_job_status/?job={job}"


def job_work(tool: str):
    """Register ``function(caller, arguments) -> result`` as the work of ``tool``'s jobs."""

    def register(function):
        if tool in JOB_WORK:
            raise ValueError(f"job work of {tool} registered twice")
        JOB_WORK[tool] = function
        return function

    return register


def job_start(caller: Caller, tool: str, arguments: dict, *, touched: list[str]) -> ToolAnswer:
    """Record a pending job with JSON ``arguments`` and queue it once the calling transaction commits."""
    from api.tasks import agent_job_run  # the task module imports this one

    job = AgentJob.objects.create(token=caller.token, tool=tool, arguments=arguments)
    transaction.on_commit(lambda: agent_job_run.delay(str(job.pk)))
    return ToolAnswer(
        status=202,
        data={"job": str(job.pk), "state": job.state, "status_url": STATUS_URL.format(job=job.pk)},
        touched=[*touched, f"job:{job.pk}"],
    )


def _caller_still_allowed(job: AgentJob) -> Caller:
    """The job runs with the rights its token has now: revoked, expired or stripped of the scope, it stops."""
    from api.agent.registry import TOOLS

    token = job.token
    if token is None or not token.usable_at(utc_now()):
        raise ApiError(
            "token_unusable",
            _(
                "Das Token, das diesen Auftrag gestartet hat, ist nicht mehr gültig; "
                "der Auftrag wurde nicht ausgeführt."
            ),
            status=401,
        )
    caller = Caller(token)
    caller.require(TOOLS[job.tool].scope)
    return caller


def job_run(*, job_id) -> AgentJob:
    """Run a pending job's work and store its result or its error; a job already claimed is left alone."""
    if not AgentJob.objects.filter(pk=job_id, state=AgentJob.State.PENDING).update(state=AgentJob.State.RUNNING):
        return AgentJob.objects.get(pk=job_id)
    job = AgentJob.objects.select_related("token__utility").get(pk=job_id)
    result, error = None, None
    try:
        caller = _caller_still_allowed(job)
        with transaction.atomic():
            result = JOB_WORK[job.tool](caller, job.arguments)
    except ApiError as refused:
        error = refused.body()
    except DomainError as refused:
        error = domain_refusal(refused).body()
    except Exception as failure:  # recorded on the job: the agent learns that it failed and why
        logger.exception("agent job %s (%s) failed", job.pk, job.tool)
        error = ApiError(
            "job_failed", _("Unerwarteter Fehler: %(error)s") % {"error": type(failure).__name__}, status=500
        ).body()
    state = AgentJob.State.FAILED if error else AgentJob.State.DONE
    AgentJob.objects.filter(pk=job.pk, state=AgentJob.State.RUNNING).update(
        state=state, result=result, error=error, finished_at=utc_now()
    )
    job.refresh_from_db()
    return job
