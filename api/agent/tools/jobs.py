"""get_job_status: the state of work a tool started; only the token that started it sees it."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from api.agent.registry import Tool, ToolAnswer, register
from api.agent.tools.common import iso_utc
from api.agent.tools.documents import with_fresh_links
from api.agent.tools.examples import example_of
from api.errors import not_found
from api.models import AgentJob


class JobArguments(serializers.Serializer):
    job = serializers.UUIDField()


def get_job_status(caller, arguments: dict) -> ToolAnswer:
    job = AgentJob.objects.filter(pk=arguments["job"], token=caller.token).first()
    if job is None:  # another token's job answers as an unknown one
        raise not_found(_("Auftrag"), arguments["job"])
    return ToolAnswer(
        data={
            "job": str(job.pk),
            "tool": job.tool,
            "state": job.state,
            "created_at": iso_utc(job.created_at),
            "finished_at": iso_utc(job.finished_at),
            "result": with_fresh_links(job.result) if job.result else None,
            "error": job.error,
        },
        touched=[f"job:{job.pk}"],
    )


register(
    Tool(
        name="get_job_status",
        description=(
            "The state of a background job started by generate_leg_document or run_billing_period: pending, running, "
            "done (with 'result': the documents with fresh download URLs, or the billing run with its summary URL) "
            "or failed (with 'error' in the API's error shape). Poll every few seconds until done or failed. Only "
            "the token that started a job can see it."
        ),
        scope="",
        arguments=JobArguments,
        run=get_job_status,
        **example_of("get_job_status"),
    )
)
