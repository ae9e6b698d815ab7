"""Every tool: the scope it needs, the tenant rule of the community tools, the staff rule of the pipeline tools."""

import pytest

from api.agent.registry import TOOLS
from api.errors import ApiError
from api.models import AgentCall, AgentJob
from api.scopes import Scope
from tests.api.tools.conftest import ALL_SCOPES, UTILITY_SCOPES, call
from tests.communities.factories import CommunityFactory
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db

SCOPED = sorted(name for name, tool in TOOLS.items() if tool.scope)
COMMUNITY_TOOLS = {
    "generate_leg_document": {"kind": "agreement"},
    "list_documents": {},
    "run_billing_period": {"month": "2026-03"},
    "get_billing_summary": {"month": "2026-03"},
}
PIPELINE_TOOLS = sorted(name for name, tool in TOOLS.items() if tool.scope.startswith("pipeline:"))


@pytest.mark.parametrize("name", SCOPED)
def test_a_token_without_the_scope_is_refused_naming_it(make_token, name):
    scope = TOOLS[name].scope
    token = make_token([other for other in ALL_SCOPES if other != scope])

    with pytest.raises(ApiError) as refused:
        call(token, name, TOOLS[name].example_arguments)

    assert (refused.value.status, refused.value.code, refused.value.details) == (403, "scope_missing", {"scope": scope})
    assert refused.value.message == f"Diesem Token fehlt die Berechtigung «{scope}»."
    record = AgentCall.objects.get()
    assert (record.tool, record.status, record.error_code, record.token_id) == (name, 403, "scope_missing", token.pk)


def test_every_tool_is_scoped_but_the_job_status():
    assert [name for name, tool in TOOLS.items() if not tool.scope] == ["get_job_status"]


@pytest.mark.parametrize("name", sorted(COMMUNITY_TOOLS))
def test_another_utilitys_community_answers_as_an_unknown_one(make_token, name):
    mine, theirs = UtilityFactory(), UtilityFactory()
    foreign = CommunityFactory(utility=theirs)
    token = make_token(UTILITY_SCOPES, utility=mine)

    with pytest.raises(ApiError) as hidden:
        call(token, name, {"community": foreign.pk, **COMMUNITY_TOOLS[name]})
    with pytest.raises(ApiError) as unknown:
        call(token, name, {"community": 999999, **COMMUNITY_TOOLS[name]})

    assert (hidden.value.status, hidden.value.code, hidden.value.message) == (
        404,
        "not_found",
        f"Gemeinschaft «{foreign.pk}» gibt es nicht.",
    )
    assert (unknown.value.status, unknown.value.code, unknown.value.message) == (
        404,
        "not_found",
        "Gemeinschaft «999999» gibt es nicht.",
    )
    assert AgentJob.objects.count() == 0


@pytest.mark.parametrize("name", PIPELINE_TOOLS)
def test_a_utility_token_is_refused_by_the_pipeline_tools_even_with_the_scope(make_token, name):
    token = make_token(UTILITY_SCOPES, utility=UtilityFactory())
    token.scopes = ALL_SCOPES  # as if a pipeline scope had slipped past agent_token_create's rule
    token.save()

    with pytest.raises(ApiError) as refused:
        call(token, name, TOOLS[name].example_arguments)

    assert (refused.value.status, refused.value.code, refused.value.message) == (
        403,
        "staff_only",
        "Dieses Werkzeug steht nur Staff-Tokens offen.",
    )


def test_the_pipeline_tools_are_exactly_these():
    assert PIPELINE_TOOLS == [
        "draft_outreach",
        "get_pipeline_briefing",
        "get_pipeline_dashboard",
        "get_vnb_pipeline",
        "score_vnb",
        "update_vnb_status",
    ]
    assert {TOOLS[name].scope for name in PIPELINE_TOOLS} == {Scope.PIPELINE_READ, Scope.PIPELINE_WRITE}
