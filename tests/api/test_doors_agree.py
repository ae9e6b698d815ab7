"""Both doors give the same results: every tool called through DRF (HTTP on Django's test client) and through the
MCP SDK's client (in process) on the demo's data, with the answer or the refusal compared as JSON."""

import io
import json

import pytest
from asgiref.sync import async_to_sync
from django.core.management import call_command
from mcp import Client
from rest_framework.test import APIClient

from api.agent.registry import TOOLS
from api.mcp.server import build_server
from api.models import AgentCall, AgentJob
from api.scopes import Scope
from api.tokens import agent_token_create
from communities.models import Community
from pipeline.models import OutreachDraft, Utility

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=io.StringIO())
    return Community.objects.get(slug="sonnenberg-dorf")


@pytest.fixture
def secret(demo):
    return agent_token_create(name="LEA", scopes=list(Scope.values)).secret


def rest(secret: str, name: str, arguments: dict) -> tuple[int, dict]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    address = f"/api/agent/v1/{name}/"
    writes = TOOLS[name].writes
    response = client.post(address, arguments, format="json") if writes else client.get(address, arguments)
    return response.status_code, response.json()


def mcp(secret: str, name: str, arguments: dict) -> tuple[bool, dict]:
    async def main():
        async with Client(build_server(secret=secret)) as client:
            return await client.call_tool(name, arguments)

    result = async_to_sync(main)()
    return result.is_error, (json.loads(result.content[0].text) if result.is_error else result.structured_content)


def both(secret: str, name: str, arguments: dict) -> tuple[tuple[int, dict], tuple[bool, dict]]:
    return rest(secret, name, arguments), mcp(secret, name, arguments)


READS = {
    "get_billing_summary": lambda community: {"community": community.pk, "month": "2026-03"},
    "get_billing_reconciliation": lambda community: {},
    "list_documents": lambda community: {"community": community.pk},
    "get_vnb_pipeline": lambda community: {"canton": "AG", "ordering": "-score", "limit": 5},
    "get_pipeline_dashboard": lambda community: {"canton": "AG"},
    "get_pipeline_briefing": lambda community: {},
}


def test_every_read_answers_the_same_through_rest_and_mcp(secret, demo):
    for name, arguments in READS.items():  # one demo for all: loading it is the slow part
        (status, through_rest), (is_error, through_mcp) = both(secret, name, arguments(demo))

        assert through_rest == through_mcp, name
        assert is_error is (status >= 400), name
        recorded = AgentCall.objects.filter(tool=name).values_list("transport", "status").order_by("transport")
        assert list(recorded) == [("mcp", status), ("rest", status)], name
        if name == "get_billing_summary":  # the demo's March run, as run_billing --json prints it
            assert (through_rest["community"], through_rest["status"]) == (demo.pk, "draft")
            assert (through_rest["period"]["quarter_hours"], len(through_rest["participants"])) == (2972, 12)


def test_the_reads_are_all_the_tools_that_do_not_write_but_the_job_status():
    assert set(READS) | {"get_job_status"} == {name for name, tool in TOOLS.items() if not tool.writes}


def test_refusals_are_the_same_error_through_both_doors(secret, demo):
    other = Community.objects.exclude(utility=demo.utility).first()
    utility_secret = agent_token_create(name="Desk", scopes=["billing:read"], utility=demo.utility).secret
    cases = [
        (secret, "get_billing_summary", {"community": demo.pk, "month": "2026-13"}),
        (secret, "get_billing_summary", {"community": 999_999, "month": "2026-03"}),
        (utility_secret, "list_documents", {"community": demo.pk}),  # no documents:read
        (utility_secret, "get_billing_summary", {"community": getattr(other, "pk", 999_998), "month": "2026-03"}),
        (secret, "update_vnb_status", {"utility": demo.utility.pk, "stage": "lead", "note": "zurück"}),
    ]
    for token_secret, name, arguments in cases:
        (status, through_rest), (is_error, through_mcp) = both(token_secret, name, arguments)
        assert is_error and status >= 400, (name, arguments)
        assert through_rest == through_mcp, (name, arguments)
    codes = list(AgentCall.objects.filter(transport="mcp").order_by("pk").values_list("error_code", flat=True))
    assert codes == ["invalid", "not_found", "scope_missing", "not_found", "stage_move_refused"]


def test_writes_do_the_same_through_both_doors(secret, demo, django_capture_on_commit_callbacks):
    utility = Utility.objects.exclude(pk=demo.utility.pk).order_by("pk").first()

    (status, scored_rest), (is_error, scored_mcp) = both(secret, "score_vnb", {"utility": utility.pk})
    assert (status, is_error) == (200, False)
    scored_rest.pop("scored_at"), scored_mcp.pop("scored_at")
    assert scored_rest == scored_mcp  # the same facts give the same score and sentences

    (status, draft_rest), (is_error, draft_mcp) = both(secret, "draft_outreach", {"utility": utility.pk})
    assert (status, is_error) == (200, False)
    assert draft_rest["draft"] != draft_mcp["draft"]  # two drafts, one per call
    assert {key: value for key, value in draft_rest.items() if key not in {"draft", "created_at"}} == {
        key: value for key, value in draft_mcp.items() if key not in {"draft", "created_at"}
    }
    assert OutreachDraft.objects.filter(utility=utility, door="agent").count() == 2

    arguments = {"community": demo.pk, "month": "2026-03"}
    with django_capture_on_commit_callbacks(execute=True):  # the job's task starts when the call commits
        (status, job_rest), (is_error, job_mcp) = both(secret, "run_billing_period", arguments)
    assert (status, is_error) == (202, False)
    assert AgentJob.objects.get(pk=job_rest["job"]).state == AgentJob.objects.get(pk=job_mcp["job"]).state == "done"
    for job in (job_rest["job"], job_mcp["job"]):
        (status, through_rest), (is_error, through_mcp) = both(secret, "get_job_status", {"job": job})
        assert (status, is_error, through_rest["state"]) == (200, False, "done")
        assert through_rest == through_mcp
