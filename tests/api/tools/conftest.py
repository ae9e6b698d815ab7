import json

import pytest

from api.agent.calls import call_tool
from api.agent.registry import TOOLS
from api.scopes import Scope
from api.tokens import agent_token_create
from tests.billing.conftest import march_community  # noqa: F401  (three consumers, a prosumer, a producer)

ALL_SCOPES = list(Scope.values)
UTILITY_SCOPES = [scope for scope in Scope.values if not scope.startswith("pipeline:")]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def make_token(db):
    def make(scopes=ALL_SCOPES, utility=None, name="LEA"):
        return agent_token_create(name=name, scopes=list(scopes), utility=utility).token

    return make


@pytest.fixture
def staff_token(make_token):
    return make_token()


def call(token, name, arguments=None):
    """Call a tool as the REST door does; its answer must be plain JSON (no Decimal, date or tuple slips through)."""
    answer = call_tool(token, name, arguments or {}, transport="rest")
    assert json.loads(json.dumps(answer.data)) == answer.data
    assert_shaped_like_example(name, answer.data)
    return answer


def assert_shaped_like_example(name: str, data: dict) -> None:
    """The documented example has the real answer's keys, and so have the rows of its lists: the schema and MCP
    show the agent what it will get."""
    example = TOOLS[name].example_answer
    assert sorted(data) == sorted(example), name
    for key, value in data.items():
        documented = example[key]
        if isinstance(value, list) and value and documented and isinstance(value[0], dict):
            assert sorted(value[0]) == sorted(documented[0]), f"{name}.{key}"
