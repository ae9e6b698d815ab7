"""The agent's tools, declared once: both doors (DRF views and the MCP server) are generated from this table.

A tool is a plain function ``run(caller, arguments) -> ToolAnswer`` over the domain's services and selectors, with a
DRF serializer that validates its arguments, the one scope it needs, and examples for the OpenAPI schema and MCP.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rest_framework import serializers


@dataclass
class ToolAnswer:
    data: dict
    status: int = 200  # 202 when the work continues in the background (the data then names the job)
    touched: list[str] = field(default_factory=list)  # "community:12", "utility:4", "document:77" for the audit


@dataclass(frozen=True)
class Tool:
    name: str
    description: str  # English, for the agent: what it is for and when to use it
    scope: str  # "" only for a tool that checks the caller itself
    arguments: type[serializers.Serializer]
    run: Callable[[Any, dict], ToolAnswer]
    writes: bool = False  # POST over REST; reads are GET
    example_arguments: dict = field(default_factory=dict)
    example_answer: dict = field(default_factory=dict)


TOOLS: dict[str, Tool] = {}


def register(tool: Tool) -> Tool:
    if tool.name in TOOLS:
        raise ValueError(f"tool {tool.name} registered twice")
    TOOLS[tool.name] = tool
    return tool


def tools_for(scopes) -> list[Tool]:
    """The tools a token with ``scopes`` may call, by name (a tool without a scope checks its caller itself)."""
    held = set(scopes)
    return [tool for _name, tool in sorted(TOOLS.items()) if not tool.scope or tool.scope in held]
