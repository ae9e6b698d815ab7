"""The REST door: one view per tool, generated from ``TOOLS``; reads answer GET with query parameters, writes POST
with a JSON object (the other method: 405). A view authenticates, throttles, keeps Idempotency-Key answers and calls
``call_tool``: nothing else. Tools do their own paging (``limit`` arguments), so REST and MCP answer alike."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.agent.calls import call_tool
from api.agent.registry import Tool, tools_for
from api.errors import ApiError, invalid
from api.idempotency import HEADER, Answer, answer_once, request_fingerprint
from api.models import AgentCall
from api.schema import ERROR_RESPONSES, ToolListSerializer

TRANSPORT = AgentCall.Transport.REST
URL_NAME = "agent-{name}"


class ToolView(APIView):
    tool_name: str = ""

    def run_tool(self, request: Request, arguments: dict) -> Answer:
        try:
            answer = call_tool(request.auth, self.tool_name, arguments, transport=TRANSPORT)
        except ApiError as refused:
            return Answer(status=refused.status, body=refused.body())
        return Answer(status=answer.status, body=answer.data)


class ReadToolView(ToolView):
    def get(self, request: Request) -> Response:
        answer = self.run_tool(request, query_arguments(request))
        return Response(answer.body, status=answer.status)


class WriteToolView(ToolView):
    def post(self, request: Request) -> Response:
        arguments = request.data
        if not isinstance(arguments, dict):
            raise invalid({"non_field_errors": [_("Der Inhalt muss ein JSON-Objekt sein.")]})
        key = request.headers.get(HEADER)
        if key is None:
            answer = self.run_tool(request, arguments)
        else:
            answer = answer_once(
                token=request.auth, key=key, fingerprint=request_fingerprint(request.path, arguments),
                produce=lambda: self.run_tool(request, arguments),
            )
        response = Response(answer.body, status=answer.status)
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def query_arguments(request: Request) -> dict:
    """Query parameters as plain JSON values: one value as a string, a repeated parameter as a list."""
    return {
        name: values[0] if len(values) == 1 else values for name, values in request.query_params.lists()
    }


def tool_view(tool: Tool):
    """The view of one tool, with its operation in the OpenAPI schema."""
    base = WriteToolView if tool.writes else ReadToolView
    method = "post" if tool.writes else "get"
    inherited = getattr(base, method)

    def handler(self, request: Request) -> Response:
        return inherited(self, request)

    handler.__name__ = method
    members = {"tool_name": tool.name, "__doc__": tool.description, method: extend_schema(**_operation(tool))(handler)}
    return type(f"{_camel(tool.name)}View", (base,), members)


class ToolIndexView(APIView):
    """The tools this token may use, with their method and address."""

    @extend_schema(
        operation_id="list_tools", summary="Tools this token may use", tags=["agent"],
        responses={200: ToolListSerializer, **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        tools = [
            {
                "name": tool.name,
                "description": tool.description,
                "scope": tool.scope,
                "method": "POST" if tool.writes else "GET",
                "url": request.build_absolute_uri(reverse(f"api:{URL_NAME.format(name=tool.name)}")),
            }
            for tool in tools_for(request.auth.scopes)
        ]
        return Response({"tools": tools})


@extend_schema(exclude=True)
class UnknownAddressView(APIView):
    """Everything under /api/ that matches nothing: 404 in the error shape, whatever the method."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    metadata_class = None

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise ApiError("not_found", _("Diese Adresse gibt es nicht."), status=404, details={"path": request.path})


def _operation(tool: Tool) -> dict:
    example_answer = [OpenApiExample("Antwort", value=tool.example_answer, response_only=True)]
    answer = OpenApiResponse(OpenApiTypes.OBJECT, description=_answer_text(tool), examples=example_answer)
    operation = {
        "operation_id": tool.name,
        "summary": tool.description.split(". ")[0].rstrip("."),
        "description": _scope_text(tool) + tool.description,
        "tags": [tool.scope.split(":")[0] if tool.scope else "agent"],
    }
    if tool.writes:
        operation["request"] = tool.arguments
        operation["parameters"] = [
            OpenApiParameter(
                HEADER, str, OpenApiParameter.HEADER, required=False,
                description="Any unique string (e.g. a UUID): a retry with the same key and body gets the first "
                "answer again and starts nothing new. Answers are kept AGENT_IDEMPOTENCY_HOURS (24 h by default).",
            )
        ]
        operation["examples"] = [OpenApiExample("Aufruf", value=tool.example_arguments, request_only=True)]
        operation["responses"] = {200: answer, 202: answer, **ERROR_RESPONSES}
    else:
        operation["parameters"] = [tool.arguments] if tool.arguments().fields else []  # none: nothing to explode
        operation["responses"] = {200: answer, **ERROR_RESPONSES}
    return operation


def _scope_text(tool: Tool) -> str:
    return f"Scope: `{tool.scope}`.\n\n" if tool.scope else ""


def _answer_text(tool: Tool) -> str:
    if tool.writes:
        return "The result (200), or 202 with the job when the work continues in the background."
    return "The result."


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
