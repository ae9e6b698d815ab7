import pytest

from api.agent.registry import TOOLS

pytestmark = pytest.mark.django_db

SCOPES = {
    "generate_leg_document": "documents:write",
    "list_documents": "documents:read",
    "run_billing_period": "billing:run",
    "get_billing_summary": "billing:read",
    "get_billing_reconciliation": "billing:read",
    "get_vnb_pipeline": "pipeline:read",
    "update_vnb_status": "pipeline:write",
    "score_vnb": "pipeline:write",
    "draft_outreach": "pipeline:write",
    "get_pipeline_dashboard": "pipeline:read",
    "get_pipeline_briefing": "pipeline:read",
    "get_job_status": "",
}
WRITES = {"generate_leg_document", "run_billing_period", "update_vnb_status", "score_vnb", "draft_outreach"}


def test_the_registry_holds_exactly_these_tools_with_these_scopes():
    # A new tool (an "approve", say) must be added here on purpose: nothing slips in unnoticed.
    assert {name: tool.scope for name, tool in TOOLS.items()} == SCOPES
    assert {name for name, tool in TOOLS.items() if tool.writes} == WRITES


def test_no_tool_approves_cancels_issues_sends_or_signs():
    forbidden = ("approve", "cancel", "issue", "send", "sign", "tariff", "member")
    assert [name for name in TOOLS if any(word in name for word in forbidden)] == []


@pytest.mark.parametrize("name", sorted(SCOPES))
def test_every_tool_explains_itself_and_its_example_arguments_are_valid(name):
    tool = TOOLS[name]
    assert len(tool.description) > 150
    assert tool.example_answer
    serializer = tool.arguments(data=tool.example_arguments)
    assert serializer.is_valid(), serializer.errors
