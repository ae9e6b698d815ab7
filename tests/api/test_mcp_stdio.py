"""``manage.py mcp_stdio``: the token from the environment, refused at the start when unusable; the server over a
real stdin/stdout pipe with the SDK's stdio client."""

import json
import os
import sys
from pathlib import Path
from urllib.parse import quote

import anyio
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from api.agent.registry import TOOLS
from api.models import AgentCall
from api.tokens import agent_token_create, agent_token_revoke

ROOT = Path(__file__).resolve().parents[2]


def test_an_empty_variable_is_refused(db, monkeypatch):
    monkeypatch.delenv("OPENLEG_AGENT_TOKEN", raising=False)

    with pytest.raises(CommandError) as refused:
        call_command("mcp_stdio")

    assert str(refused.value) == "Die Umgebungsvariable OPENLEG_AGENT_TOKEN ist leer oder fehlt."


def test_a_revoked_token_is_refused_at_the_start(db, monkeypatch):
    new = agent_token_create(name="LEA", scopes=["billing:read"])
    agent_token_revoke(prefix=new.token.prefix)
    monkeypatch.setenv("LEA_TOKEN", new.secret)

    with pytest.raises(CommandError) as refused:
        call_command("mcp_stdio", "--token-env", "LEA_TOKEN")

    assert str(refused.value) == "LEA_TOKEN: Dieses Token ist widerrufen."


@pytest.mark.postgres
def test_serves_the_registry_over_stdio(transactional_db):
    secret = agent_token_create(name="LEA", scopes=["billing:read"]).secret
    database = connection.settings_dict
    login = quote(database["USER"]) + (f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else "")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openleg.settings.test",
        "DATABASE_URL": f"postgres://{login}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "LEA_TOKEN": secret,
    }
    server = StdioServerParameters(
        command=sys.executable, args=["manage.py", "mcp_stdio", "--token-env", "LEA_TOKEN"], env=environment, cwd=ROOT
    )

    async def main():
        async with Client(server) as client:
            return await client.list_tools(), await client.call_tool("approve_billing_run", {"run": 1})

    listed, refused = anyio.run(main)

    assert sorted(tool.name for tool in listed.tools) == sorted(TOOLS)
    assert refused.is_error is True
    assert json.loads(refused.content[0].text) == {
        "error": {"code": "unknown_tool", "message": "Das Werkzeug «approve_billing_run» gibt es nicht.", "details": {}}
    }
    call = AgentCall.objects.get()
    assert (call.tool, call.transport, call.status, call.token.name) == ("approve_billing_run", "mcp", 404, "LEA")
