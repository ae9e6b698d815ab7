"""MCP over real streamable HTTP: the project's ASGI application under uvicorn, the SDK's client over loopback.

The server runs in a thread with connections of its own, so these tests commit their data (transactional_db).
"""

import json
from datetime import timedelta

import anyio
import httpx2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from api.models import AgentCall
from api.tokens import agent_token_create, agent_token_revoke
from openleg.asgi import build_application
from tests.api.live_asgi import serving
from tests.api.mcp_tools import test_tools  # noqa: F401 - fixture
from tests.communities.factories import CommunityFactory

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("test_tools")]

MCP_ACCEPT = "application/json, text/event-stream"
LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}


@pytest.fixture(scope="module")
def base_url(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), serving(build_application()) as url:
        yield url


def _with_client(url: str, secret: str, work, *, mode: str = "auto"):
    async def main():
        async with (
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {secret}"}) as http,
            Client(streamable_http_client(url, http_client=http), mode=mode) as client,
        ):
            return await work(client)

    return anyio.run(main)


def _post(url: str, *, secret: str | None = None, headers: dict | None = None) -> httpx2.Response:
    sent = {"Accept": MCP_ACCEPT, **({"Authorization": f"Bearer {secret}"} if secret else {}), **(headers or {})}
    return httpx2.post(url, json=LIST_TOOLS, headers=sent, timeout=10.0)


@pytest.mark.parametrize("mode", ["auto", "legacy"])  # the 2026 per-request protocol, and the initialize handshake
def test_lists_the_tools_and_calls_a_read(transactional_db, base_url, mode):
    community = CommunityFactory(name="LEG Sonnenberg")
    secret = agent_token_create(name="LEA", scopes=["billing:read"]).secret

    async def work(client):
        listed = await client.list_tools()
        return listed, await client.call_tool("test_read_community", {"community": community.pk})

    listed, result = _with_client(f"{base_url}/mcp", secret, work, mode=mode)

    assert {"test_read_community", "test_write_note"} <= {tool.name for tool in listed.tools}
    expected = {"community": community.pk, "name": "LEG Sonnenberg", "balance": "-111.07"}
    assert (result.is_error, result.structured_content) == (False, expected)
    assert json.loads(result.content[0].text) == expected
    call = AgentCall.objects.get()
    assert (call.tool, call.transport, call.status, call.token.name) == ("test_read_community", "mcp", 200, "LEA")


def test_a_missing_scope_is_a_tool_error_naming_it(transactional_db, base_url):
    secret = agent_token_create(name="LEA", scopes=["billing:read"]).secret

    result = _with_client(f"{base_url}/mcp", secret, lambda client: client.call_tool("test_write_note", {"text": "x"}))

    assert result.is_error is True
    assert json.loads(result.content[0].text)["error"] == {
        "code": "scope_missing",
        "message": "Diesem Token fehlt die Berechtigung «documents:write».",
        "details": {"scope": "documents:write"},
    }


def test_without_a_token_401_in_the_error_shape(transactional_db, base_url):
    response = _post(f"{base_url}/mcp")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="openleg"'
    assert response.json() == {
        "error": {"code": "token_missing", "message": "Kein Token: «Authorization: Bearer …» fehlt.", "details": {}}
    }
    assert AgentCall.objects.count() == 0


@pytest.mark.parametrize(
    ("spoil", "code", "message"),
    [
        ("unknown", "token_invalid", "Unbekanntes Token."),
        ("revoked", "token_revoked", "Dieses Token ist widerrufen."),
        ("expired", "token_expired", "Dieses Token ist abgelaufen."),
    ],
)
def test_an_unusable_token_gets_401(transactional_db, base_url, spoil, code, message):
    new = agent_token_create(name="LEA", scopes=["billing:read"], expires_at=timezone.now() + timedelta(days=1))
    secret = new.secret
    if spoil == "unknown":
        secret += "x"
    elif spoil == "revoked":
        agent_token_revoke(prefix=new.token.prefix)
    else:
        type(new.token).objects.filter(pk=new.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = _post(f"{base_url}/mcp", secret=secret)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="openleg", error="invalid_token"'
    assert response.json() == {"error": {"code": code, "message": message, "details": {}}}


def test_a_foreign_host_name_is_refused(transactional_db, base_url):
    secret = agent_token_create(name="LEA", scopes=["billing:read"]).secret

    foreign = _post(f"{base_url}/mcp", secret=secret, headers={"Host": "rebind.example"})
    own = _post(f"{base_url}/mcp", secret=secret, headers={"Host": "localhost:8000"})
    foreign_origin = _post(f"{base_url}/mcp", secret=secret, headers={"Origin": "http://rebind.example"})

    assert (foreign.status_code, foreign.text) == (421, "Invalid Host header")
    assert own.status_code == 200
    assert (foreign_origin.status_code, foreign_origin.text) == (403, "Invalid Origin header")


def test_django_and_its_static_files_are_served_beside(transactional_db, base_url):
    health = httpx2.get(f"{base_url}/healthz", timeout=10.0)
    css = httpx2.get(f"{base_url}/static/admin/css/base.css", headers={"Accept-Encoding": "identity"}, timeout=10.0)

    assert health.status_code == 200
    assert (css.status_code, css.headers["content-type"], css.headers["x-content-type-options"]) == (
        200, 'text/css; charset="utf-8"', "nosniff"
    )
    assert css.text.startswith("/*")
    assert int(css.headers["content-length"]) == len(css.content) > 10_000


def test_agent_probe_lists_and_calls_the_reads_without_arguments(transactional_db, base_url, monkeypatch, capsys):
    community = CommunityFactory(name="LEG Sonnenberg")
    monkeypatch.setenv("LEA_TOKEN", agent_token_create(name="LEA", scopes=["billing:read"]).secret)

    call_command(
        "agent_probe", f"{base_url}/mcp", "--token-env", "LEA_TOKEN",
        "--call", f'test_read_community={{"community": {community.pk}}}',
    )

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Server: openleg 0.1.0, Protokoll 2026-07-28"
    assert "  test_read_community (lesend)" in lines
    assert "  test_write_note (schreibend)" in lines
    assert lines[-1] == (
        f'OK     test_read_community: {{"community":{community.pk},"name":"LEG Sonnenberg","balance":"-111.07"}}'
    )


def test_agent_probe_fails_with_the_refusal(transactional_db, base_url, monkeypatch):
    monkeypatch.setenv("LEA_TOKEN", "olat_not-a-token")

    with pytest.raises(CommandError) as refused:
        call_command("agent_probe", f"{base_url}/mcp", "--token-env", "LEA_TOKEN")

    assert str(refused.value) == (
        f"{base_url}/mcp antwortet nicht wie ein MCP-Server: "
        'HTTP 401: {"error":{"code":"token_invalid","message":"Unbekanntes Token.","details":{}}}'
    )


def test_agent_probe_fails_when_a_call_is_refused(transactional_db, base_url, monkeypatch, capsys):
    monkeypatch.setenv("LEA_TOKEN", agent_token_create(name="LEA", scopes=["billing:read"]).secret)

    with pytest.raises(CommandError) as refused:
        call_command(
            "agent_probe", f"{base_url}/mcp", "--token-env", "LEA_TOKEN", "--call", 'test_write_note={"text": "x"}'
        )

    assert str(refused.value) == "Fehlgeschlagen: test_write_note"
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith('FEHLER test_write_note: {"error":{"code":"scope_missing"')
