"""The MCP server: the tools of ``api.agent.registry.TOOLS``, called through ``api.agent.calls.call_tool``.

Nothing here knows a tool: the list comes from the registry (name, description, the arguments' serializer as
JSON Schema, read-only or not), and every call takes the same path as the REST door, with ``transport="mcp"``.
A refusal (``ApiError``) is a tool error (``isError``) whose text is the API's error shape.

Who calls: over streamable HTTP the bearer middleware (``api.mcp.http``) puts the caller's token into the
request's ASGI scope; over stdio the server is built with the token's secret and finds the token again at every
call, so a revoked or expired token stops working at once.
"""

import json
import logging
from importlib.metadata import PackageNotFoundError, version

import mcp_types as types
from django.utils.translation import gettext as _
from mcp.server import Server, ServerRequestContext
from rest_framework.utils.encoders import JSONEncoder

from api.agent.calls import call_tool
from api.agent.registry import TOOLS, Tool, tools_for
from api.authentication import note_use
from api.errors import ApiError
from api.exceptions import service_unavailable
from api.mcp.django_thread import in_django_thread
from api.mcp.schema import serializer_schema
from api.models import AgentToken
from api.throttles import check_limits
from api.tokens import token_for_secret
from openleg.unavailable import unavailable_service

logger = logging.getLogger(__name__)

SERVER_NAME = "openleg"
TOKEN_SCOPE_KEY = "openleg.agent_token"  # where the HTTP middleware leaves the caller's AgentToken
INSTRUCTIONS = (
    "OpenLEG, the back office of Swiss local electricity communities (LEG): documents, billing runs and summaries, "
    "and OpenLEG's sales pipeline of distribution utilities. Amounts are CHF as decimal strings, energy kWh, times "
    "ISO 8601 in UTC. A refusal comes back as a tool error with the JSON {\"error\": {\"code\", \"message\", "
    "\"details\"}}; messages are German."
)


def build_server(*, secret: str | None = None) -> Server:
    """The server over the registry. ``secret``: the token for every call (stdio, tests); without it each call
    must arrive over HTTP with the token the bearer middleware found."""

    async def list_tools(ctx: ServerRequestContext, params: types.PaginatedRequestParams | None):
        """The tools this token may call, as the REST door's index lists them."""
        token = _scope_token(ctx) or await in_django_thread(token_for, secret)
        return types.ListToolsResult(tools=[mcp_tool(tool) for tool in tools_for(token.scopes)])

    async def call(ctx: ServerRequestContext, params: types.CallToolRequestParams) -> types.CallToolResult:
        scope_token = _scope_token(ctx)
        try:
            data = await in_django_thread(_call, scope_token, secret, params.name, params.arguments or {})
        except ApiError as error:
            return types.CallToolResult(content=[_text(error.body())], is_error=True)
        except Exception as failure:
            if service := unavailable_service(failure):  # an outage, not a bug: the 503 of the REST door
                logger.warning("MCP tool %s: %s unreachable (%s)", params.name, service, type(failure).__name__)
                return types.CallToolResult(content=[_text(service_unavailable(service).body())], is_error=True)
            logger.exception("MCP tool %s failed", params.name)  # a bug: the SDK answers without the details
            raise
        return types.CallToolResult(content=[_text(data)], structured_content=data)

    return Server(
        SERVER_NAME, version=_version(), instructions=INSTRUCTIONS, on_list_tools=list_tools, on_call_tool=call,
        get_tool_input_schema=_input_schema,
    )


def _scope_token(ctx: ServerRequestContext) -> AgentToken | None:
    return ctx.request.scope.get(TOKEN_SCOPE_KEY) if ctx.request is not None else None


def mcp_tool(tool: Tool) -> types.Tool:
    return types.Tool(
        name=tool.name,
        description=tool.description,
        input_schema=serializer_schema(tool.arguments),
        annotations=types.ToolAnnotations(
            read_only_hint=not tool.writes,
            # A write adds (a draft, a document version, a draft run); nothing an agent can call destroys.
            destructive_hint=False if tool.writes else None,
        ),
    )


def _call(scope_token: AgentToken | None, secret: str | None, name: str, arguments: dict) -> dict:
    token = scope_token or token_for(secret)
    note_use(token)
    check_limits(token)  # the REST door's rate and daily budget, through DRF's throttle there
    answer = call_tool(token, name, arguments, transport="mcp")
    # The REST door's encoder: both doors give the same plain JSON values.
    return json.loads(json.dumps(answer.data, cls=JSONEncoder))


def token_for(secret: str | None) -> AgentToken:
    """The usable token for ``secret``, or the 401 ``ApiError`` that says why (missing, unknown, revoked, expired)."""
    if secret is None:
        raise ApiError("token_missing", _("Kein Token: «Authorization: Bearer …» fehlt."), status=401)
    return token_for_secret(secret)


def _input_schema(name: str) -> dict | None:
    tool = TOOLS.get(name)
    return serializer_schema(tool.arguments) if tool is not None else None


def _text(data: dict) -> types.TextContent:
    return types.TextContent(type="text", text=json.dumps(data, ensure_ascii=False))


def _version() -> str:
    try:
        return version("openleg")
    except PackageNotFoundError:
        return ""
