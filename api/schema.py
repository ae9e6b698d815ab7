"""OpenAPI pieces of the API: the error shape as a component, the tool list, and the tools' query examples."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Agent token (olat_…)"}


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable English code a program can branch on, e.g. `not_found`.")
    message = serializers.CharField(help_text="German sentence for people.")
    details = serializers.DictField(help_text="Machine-readable particulars: the fields, the scope, the wait …")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()

    class Meta:
        ref_name = "Error"


ERROR_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="Missing or malformed arguments (`invalid`, naming fields)."),
    401: OpenApiResponse(ErrorSerializer, description="No token, or an unknown, revoked or expired one."),
    403: OpenApiResponse(ErrorSerializer, description="The token lacks the tool's scope (`scope_missing`)."),
    404: OpenApiResponse(ErrorSerializer, description="Unknown object, or another utility's (`not_found`)."),
    409: OpenApiResponse(ErrorSerializer, description="A business rule refused the call, or the key is in flight."),
    422: OpenApiResponse(ErrorSerializer, description="Idempotency-Key reused with another body."),
    429: OpenApiResponse(ErrorSerializer, description="Rate or daily budget reached; see Retry-After."),
}


class ToolEntrySerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    scope = serializers.CharField()
    method = serializers.ChoiceField(choices=["GET", "POST"])
    url = serializers.URLField()


class ToolListSerializer(serializers.Serializer):
    tools = ToolEntrySerializer(many=True)


def add_tool_examples(result, generator, request, public):
    """drf-spectacular postprocessing hook: each read tool's query parameters get its example arguments."""
    from api.agent.registry import TOOLS

    for path in result.get("paths", {}).values():
        operation = path.get("get")
        tool = TOOLS.get(operation.get("operationId")) if operation else None
        if tool is None:
            continue
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query" and parameter["name"] in tool.example_arguments:
                parameter["example"] = tool.example_arguments[parameter["name"]]
    return result
