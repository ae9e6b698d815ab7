"""The MCP server in process, through the SDK's own client: the registry's tools, the one call path, the record."""

import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from mcp import Client
from mcp.shared.exceptions import MCPError
from rest_framework import serializers
from rest_framework.test import APIClient

from api.agent.registry import Tool
from api.mcp.server import build_server
from api.models import AgentCall
from api.tokens import agent_token_create, agent_token_revoke
from tests.api.mcp_tools import registered, test_tools  # noqa: F401 - fixture
from tests.communities.factories import CommunityFactory

pytestmark = pytest.mark.usefixtures("test_tools")


def _session(secret: str, work):
    """Run ``work(client)`` against an in-process server bound to ``secret``; Django's queries run in this thread."""

    async def main():
        async with Client(build_server(secret=secret)) as client:
            return await work(client)

    return async_to_sync(main)()


@pytest.fixture
def staff_secret(db):
    return agent_token_create(name="LEA", scopes=["billing:read", "pipeline:read"]).secret


def test_lists_only_the_tools_the_tokens_scopes_open(staff_secret):
    listed = _session(staff_secret, lambda client: client.list_tools())

    assert sorted(tool.name for tool in listed.tools) == [
        "get_billing_reconciliation", "get_billing_summary", "get_job_status", "get_pipeline_briefing",
        "get_pipeline_dashboard", "get_vnb_pipeline", "test_read_community",
    ]


def test_lists_the_registry_tools_with_schema_and_hints(db):
    secret = agent_token_create(name="LEA", scopes=["billing:read", "documents:write"]).secret
    listed = _session(secret, lambda client: client.list_tools())

    tools = {tool.name: tool for tool in listed.tools if tool.name.startswith("test_")}
    read, write = tools["test_read_community"], tools["test_write_note"]
    assert read.description == "Read one community (test tool)."
    assert read.input_schema == {
        "type": "object",
        "properties": {"community": {"type": "integer", "minimum": 1, "description": "The community's id."}},
        "required": ["community"],
        "additionalProperties": False,
    }
    assert (read.annotations.read_only_hint, read.annotations.destructive_hint) == (True, None)
    assert (write.annotations.read_only_hint, write.annotations.destructive_hint) == (False, False)
    assert read.annotations.title is None


def test_a_call_answers_with_structured_data_and_json_text_and_is_recorded(staff_secret):
    community = CommunityFactory(name="LEG Sonnenberg")

    result = _session(staff_secret, lambda client: client.call_tool("test_read_community", {"community": community.pk}))

    expected = {"community": community.pk, "name": "LEG Sonnenberg", "balance": "-111.07"}
    assert result.is_error is False
    assert result.structured_content == expected
    assert [json.loads(part.text) for part in result.content] == [expected]
    call = AgentCall.objects.get()
    assert (call.tool, call.transport, call.status, call.arguments) == (
        "test_read_community", "mcp", 200, {"community": community.pk}
    )
    assert call.touched == [f"community:{community.pk}"]


def test_a_missing_scope_is_a_tool_error_naming_the_scope(staff_secret):
    result = _session(staff_secret, lambda client: client.call_tool("test_write_note", {"text": "Hallo"}))

    assert result.is_error is True
    assert json.loads(result.content[0].text) == {
        "error": {
            "code": "scope_missing",
            "message": "Diesem Token fehlt die Berechtigung «documents:write».",
            "details": {"scope": "documents:write"},
        }
    }
    assert AgentCall.objects.get().status == 403


def test_bad_arguments_name_the_field(staff_secret):
    result = _session(staff_secret, lambda client: client.call_tool("test_read_community", {"community": 0}))

    assert result.is_error is True
    assert json.loads(result.content[0].text) == {
        "error": {
            "code": "invalid",
            "message": "Ungültige Angaben: community.",
            "details": {"fields": {"community": ["Stelle sicher, dass dieser Wert grösser oder gleich 1 ist."]}},
        }
    }


def test_another_utilitys_community_answers_as_unknown(db):
    own, other = CommunityFactory(), CommunityFactory()
    secret = agent_token_create(name="EW", scopes=["billing:read"], utility=own.utility).secret

    result = _session(secret, lambda client: client.call_tool("test_read_community", {"community": other.pk}))

    assert json.loads(result.content[0].text)["error"] == {
        "code": "not_found",
        "message": f"Gemeinschaft «{other.pk}» gibt es nicht.",
        "details": {"object": "Gemeinschaft", "key": str(other.pk)},
    }


def test_an_unknown_tool_is_a_tool_error(staff_secret):
    result = _session(staff_secret, lambda client: client.call_tool("approve_billing_run", {}))

    assert result.is_error is True
    assert json.loads(result.content[0].text)["error"]["code"] == "unknown_tool"


def test_a_token_revoked_after_the_start_is_refused_at_the_next_call(staff_secret):
    community = CommunityFactory()

    async def work(client):
        first = await client.call_tool("test_read_community", {"community": community.pk})
        await sync_to_async(agent_token_revoke)(prefix=staff_secret[:12])
        return first, await client.call_tool("test_read_community", {"community": community.pk})

    first, second = _session(staff_secret, work)

    assert first.is_error is False
    assert second.is_error is True
    assert json.loads(second.content[0].text) == {
        "error": {"code": "token_revoked", "message": "Dieses Token ist widerrufen.", "details": {}}
    }


def test_a_failing_tool_is_logged_and_answered_without_its_details(staff_secret, caplog):
    def fail(caller, arguments):
        raise RuntimeError("database password is hunter2")

    broken = Tool(
        name="test_broken", description="Fails.", scope="billing:read", arguments=serializers.Serializer, run=fail
    )

    async def work(client):
        try:
            await client.call_tool("test_broken", {})
        except MCPError as error:
            return error
        return None

    with registered(broken):
        error = _session(staff_secret, work)

    assert error.error.message == "Internal server error"
    logged = [(record.getMessage(), record.exc_info[0]) for record in caplog.records if record.name == "api.mcp.server"]
    assert logged == [("MCP tool test_broken failed", RuntimeError)]
    call = AgentCall.objects.get()  # on record like every call
    assert (call.tool, call.transport, call.status, call.error_code) == ("test_broken", "mcp", 500, "internal_error")


@pytest.mark.redis
def test_mcp_calls_spend_the_same_daily_budget_as_rest_and_mark_the_tokens_use(db):
    new = agent_token_create(name="LEA", scopes=["billing:read"], daily_budget=2)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {new.secret}")

    assert client.get("/api/agent/v1/get_billing_reconciliation/").status_code == 200
    answers = _session(new.secret, lambda mcp: _calls(mcp, [("get_billing_reconciliation", {})] * 2))

    assert [answer.is_error for answer in answers] == [False, True]
    refusal = json.loads(answers[1].content[0].text)["error"]
    assert (refusal["code"], refusal["details"]["limit"]) == ("throttled", "daily_budget")
    new.token.refresh_from_db()
    assert new.token.last_used_at is not None


async def _calls(client, calls):
    return [await client.call_tool(name, arguments) for name, arguments in calls]
