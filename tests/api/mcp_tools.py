"""Test tools registered for the MCP tests while the real ones are built elsewhere: a read that goes through the
caller's tenant and a write, both over the one registry and the one call path."""

from contextlib import contextmanager

import pytest
from rest_framework import serializers

from api.agent.registry import TOOLS, Tool, ToolAnswer, register
from api.scopes import Scope


class CommunityArguments(serializers.Serializer):
    community = serializers.IntegerField(min_value=1, help_text="The community's id.")


def _read_community(caller, arguments) -> ToolAnswer:
    community = caller.community(arguments["community"])
    return ToolAnswer(
        data={"community": community.pk, "name": community.name, "balance": "-111.07"},
        touched=[f"community:{community.pk}"],
    )


class NoteArguments(serializers.Serializer):
    text = serializers.CharField(max_length=20)


def _write_note(caller, arguments) -> ToolAnswer:
    return ToolAnswer(data={"job": "7d1f", "text": arguments["text"]}, status=202)


READ = Tool(
    name="test_read_community", description="Read one community (test tool).", scope=Scope.BILLING_READ,
    arguments=CommunityArguments, run=_read_community,
)
WRITE = Tool(
    name="test_write_note", description="Write a note (test tool).", scope=Scope.DOCUMENTS_WRITE,
    arguments=NoteArguments, run=_write_note, writes=True,
)


@contextmanager
def registered(*tools: Tool):
    for tool in tools:
        register(tool)
    try:
        yield
    finally:
        for tool in tools:
            TOOLS.pop(tool.name, None)


@pytest.fixture
def test_tools():
    """The two test tools in the registry for one test; the registry as it was afterwards."""
    with registered(READ, WRITE):
        yield
