"""The OpenClaw kit in docs/agent: the configuration OpenClaw reads, and the texts LEA works from.

The configuration is JSON5 only in its whole-line ``//`` comments, so it is checked here as JSON once they are
dropped; the texts must name every tool of issue 14 and keep the product's spelling rules.
"""

import json
import re
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parents[2] / "docs" / "agent"

# The agent's tools as issue 14 names them: nine tools, the two reads of the standing objectives, the job status.
TOOL_NAMES = [
    "generate_leg_document",
    "list_documents",
    "run_billing_period",
    "get_billing_summary",
    "get_vnb_pipeline",
    "update_vnb_status",
    "score_vnb",
    "draft_outreach",
    "get_pipeline_dashboard",
    "get_pipeline_briefing",
    "get_billing_reconciliation",
    "get_job_status",
]


def openclaw_config() -> dict:
    text = (KIT / "openclaw.json").read_text(encoding="utf-8")
    return json.loads("\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//")))


def test_the_remote_server_is_streamable_http_with_the_token_from_the_environment():
    server = openclaw_config()["mcp"]["servers"]["openleg"]

    assert server == {
        "url": "${OPENLEG_MCP_URL}",
        "transport": "streamable-http",
        "headers": {"Authorization": "Bearer ${OPENLEG_AGENT_TOKEN}"},
        "connectTimeout": 10,
        "timeout": 60,
        "supportsParallelToolCalls": False,
    }


def test_the_stdio_variant_runs_mcp_stdio_in_the_project_and_passes_the_environment_through():
    server = openclaw_config()["mcp"]["servers"]["openleg-stdio"]

    assert server == {
        "enabled": False,
        "command": "${OPENLEG_DIR}/.venv/bin/python",
        "args": ["manage.py", "mcp_stdio"],
        "cwd": "${OPENLEG_DIR}",
        "env": {
            "OPENLEG_AGENT_TOKEN": "${OPENLEG_AGENT_TOKEN}",
            "DJANGO_SETTINGS_MODULE": "openleg.settings.production",
            "SECRET_KEY": "${SECRET_KEY}",
            "ALLOWED_HOSTS": "${ALLOWED_HOSTS}",
            "DATABASE_URL": "${DATABASE_URL}",
            "REDIS_URL": "${REDIS_URL}",
        },
    }


def test_the_model_split_is_two_agents_with_models_the_operator_fills_in():
    agents = openclaw_config()["agents"]

    assert agents["defaults"] == {"userTimezone": "Europe/Zurich"}
    assert agents["entries"]["lea"]["model"] == {"primary": "FILL-IN/tool-calling-model", "fallbacks": []}
    assert agents["entries"]["lea"]["subagents"] == {"allowAgents": ["lea-writer"]}
    assert agents["entries"]["lea-writer"]["model"] == {"primary": "FILL-IN/german-writing-model", "fallbacks": []}
    # the writer only writes: LEA herself stores its text through draft_outreach
    assert agents["entries"]["lea-writer"]["tools"] == {"deny": ["bundle-mcp"]}


def test_no_secret_is_written_into_the_kit():
    for path in KIT.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"olat_[A-Za-z0-9_-]{8,}", text), path.name  # an agent token's secret
        assert not re.search(r"Bearer (?!\$\{OPENLEG_AGENT_TOKEN\}|\$OPENLEG_AGENT_TOKEN)\S", text), path.name


@pytest.mark.parametrize("name", TOOL_NAMES)
def test_agents_md_says_what_every_tool_is_for(name):
    text = (KIT / "AGENTS.md").read_text(encoding="utf-8")

    assert re.search(rf"^\| `{name}` \|", text, re.MULTILINE), f"{name} has no row in the tool table"


def test_the_kit_documents_exactly_the_registered_tools():
    pytest.importorskip("api.agent.tools", reason="the tools are registered by api.agent.tools (branch tools)")
    from api.agent.registry import TOOLS

    assert sorted(TOOLS) == sorted(TOOL_NAMES)


def test_agents_md_states_the_hard_limits_and_the_error_meanings():
    text = (KIT / "AGENTS.md").read_text(encoding="utf-8")

    for sentence in [
        "You never approve, cancel or issue a billing run",
        "You never send an outreach draft",
        "| 403 | `scope_missing` |",
        "| 404 | `not_found` |",
        "| 409 |",
        "| 422 |",
        "Idempotency-Key",
        "get_job_status",
    ]:
        assert sentence in text, sentence


@pytest.mark.parametrize("name", ["AGENTS.md", "SOUL.md", "README.md"])
def test_the_swiss_spelling_holds(name):
    assert "ß" not in (KIT / name).read_text(encoding="utf-8")


def test_the_persona_speaks_to_utilities_in_the_sie_form():
    text = (KIT / "SOUL.md").read_text(encoding="utf-8")

    assert "Sie" in text and " du " not in text and " Du " not in text
