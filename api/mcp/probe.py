"""What ``agent_probe`` does: connect to an MCP endpoint as an agent runtime would (the SDK's streamable-HTTP
client with a bearer token), list the tools, and call the read-only ones that can be called without arguments,
plus any call named explicitly."""

import json
from contextlib import suppress
from dataclasses import dataclass, field

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

EXCERPT_CHARACTERS = 160


@dataclass(frozen=True)
class ProbedCall:
    tool: str
    ok: bool
    excerpt: str  # the answer's JSON, shortened


@dataclass
class ProbeReport:
    server: str
    protocol_version: str
    tools: list[tuple[str, bool]] = field(default_factory=list)  # (name, read-only)
    skipped: list[tuple[str, list[str]]] = field(default_factory=list)  # a read that needs arguments, and which
    calls: list[ProbedCall] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(call.ok for call in self.calls)


async def probe(url: str, secret: str, *, calls: dict[str, dict] | None = None, mode: str = "auto") -> ProbeReport:
    """``calls``: tool name → arguments, called whatever the tool's hints; the other read-only tools are called
    with ``{}`` when they require nothing, else listed as skipped."""
    calls = dict(calls or {})
    headers = {"Authorization": f"Bearer {secret}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0, read=120.0)) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode) as client,
    ):
        info = client.server_info
        report = ProbeReport(
            server=f"{info.name} {info.version}".strip() if info else "", protocol_version=client.protocol_version
        )
        for tool in (await client.list_tools()).tools:
            read_only = bool(tool.annotations and tool.annotations.read_only_hint)
            report.tools.append((tool.name, read_only))
            required = list(tool.input_schema.get("required", []))
            if tool.name not in calls and read_only:
                if required:
                    report.skipped.append((tool.name, required))
                else:
                    calls[tool.name] = {}
        for name, arguments in calls.items():
            result = await client.call_tool(name, arguments)
            text = "".join(part.text for part in result.content if part.type == "text")
            report.calls.append(ProbedCall(tool=name, ok=not result.is_error, excerpt=_excerpt(text)))
    return report


async def http_refusal(url: str, secret: str) -> str | None:
    """When the session failed: what the endpoint answers a plain POST with the token, if it refuses it (401 for
    the token, 421 for the host name …). The SDK's client does not pass the refusal's body on."""
    async with httpx2.AsyncClient(timeout=10.0) as http:
        response = await http.post(
            url, json={}, headers={"Authorization": f"Bearer {secret}", "Accept": "application/json, text/event-stream"}
        )
    if response.status_code in (401, 403, 404, 421):
        return f"HTTP {response.status_code}: {_excerpt(response.text)}"
    return None


def _excerpt(text: str) -> str:
    with suppress(ValueError):  # not JSON: shown as it came
        text = json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= EXCERPT_CHARACTERS else text[: EXCERPT_CHARACTERS - 1] + "…"
