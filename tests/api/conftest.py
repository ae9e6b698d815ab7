"""Tokens, a client that sends them, and two small tools over real models registered for a test (the REST door is
generated from the registry, so its addresses are rebuilt around them)."""

import importlib
from datetime import UTC, datetime

import pytest
from django.urls import clear_url_caches
from rest_framework import serializers
from rest_framework.test import APIClient

from api.agent.registry import TOOLS, Tool, ToolAnswer
from api.models import AgentJob
from api.scopes import Scope
from api.tokens import agent_token_create
from tests.communities.factories import CommunityFactory
from tests.pipeline.factories import UtilityFactory

ALL_SCOPES = list(Scope.values)


@pytest.fixture
def make_token(db):
    def make(*, scopes=("billing:read",), utility=None, **extra):
        return agent_token_create(name="LEA", scopes=list(scopes), utility=utility, **extra)

    return make


@pytest.fixture
def bearer():
    """An API client that sends ``secret`` as its bearer token."""

    def client_for(secret: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return client_for


class CommunityListArguments(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)
    name = serializers.CharField(required=False)


def list_communities(caller, arguments) -> ToolAnswer:
    communities = caller.communities().order_by("pk")
    if "name" in arguments:
        communities = communities.filter(name=arguments["name"])
    rows = [{"id": c.pk, "name": c.name} for c in communities[: arguments["limit"]]]
    return ToolAnswer({"results": rows, "count": len(rows)})


class StartJobArguments(serializers.Serializer):
    community = serializers.IntegerField()
    note = serializers.CharField(max_length=40)


def start_job(caller, arguments) -> ToolAnswer:
    community = caller.community(arguments["community"])
    job = AgentJob.objects.create(
        token=caller.token, tool="test_start_job", arguments={"community": community.pk, "note": arguments["note"]}
    )
    return ToolAnswer({"job": str(job.id), "state": job.state}, status=202, touched=[f"community:{community.pk}"])


class NoArguments(serializers.Serializer):
    pass


def ping(caller, arguments) -> ToolAnswer:
    return ToolAnswer({"pong": True})


TEST_TOOLS = [
    Tool(
        name="test_list_communities", description="List communities. For tests.", scope=Scope.BILLING_READ,
        arguments=CommunityListArguments, run=list_communities,
        example_arguments={"limit": 5}, example_answer={"results": [{"id": 1, "name": "LEG Sonnenberg"}], "count": 1},
    ),
    Tool(
        name="test_start_job", description="Start a job for a community. For tests.", scope=Scope.BILLING_RUN,
        arguments=StartJobArguments, run=start_job, writes=True,
        example_arguments={"community": 1, "note": "Mai"}, example_answer={"job": "3f0c…", "state": "pending"},
    ),
    Tool(
        name="test_ping", description="Answer pong. For tests.", scope=Scope.BILLING_READ, arguments=NoArguments,
        run=ping, example_answer={"pong": True},
    ),
]


def _rebuild_urls():
    import api.urls
    import openleg.urls

    importlib.reload(api.urls)
    importlib.reload(openleg.urls)
    clear_url_caches()


@pytest.fixture
def test_tools():
    for tool in TEST_TOOLS:
        TOOLS[tool.name] = tool
    _rebuild_urls()
    yield TEST_TOOLS
    for tool in TEST_TOOLS:
        TOOLS.pop(tool.name, None)
    _rebuild_urls()


@pytest.fixture
def community(db):
    return CommunityFactory(name="LEG Sonnenberg")


@pytest.fixture
def other_utility_community(db):
    return CommunityFactory(name="LEG Fremd", utility=UtilityFactory(name="Fremdwerk AG"))


def aware(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_counters():
    """Throttle counters live in the cache: every test starts with none (only ours: sessions live there too)."""
    from django.core.cache import cache

    def forget():
        if hasattr(cache, "delete_pattern"):  # Redis
            cache.delete_pattern("agent-*")
        else:
            cache.clear()

    forget()
    yield
    forget()
