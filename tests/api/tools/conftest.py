import json

import pytest

from api.agent.calls import call_tool
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
    return answer
