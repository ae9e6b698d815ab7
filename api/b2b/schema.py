"""OpenAPI pieces of the B2B API: its own security schemes (bearer key or X-API-Key), the error answers of every
endpoint, the query examples, and one address per endpoint in the schema (the trailing-slash twin left out)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse

from api.schema import ErrorSerializer

PATH_PREFIX = "/api/v1/"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.b2b.authentication.ApiKeyAuthentication"
    name = ["b2bBearer", "b2bApiKey"]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "http", "scheme": "bearer", "description": "B2B API key (olk_…)"},
            {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "B2B API key (olk_…)"},
        ]

    def get_security_requirement(self, auto_schema):
        return [{"b2bBearer": []}, {"b2bApiKey": []}]  # either one


ERROR_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="Bad query parameters (`invalid`, naming the fields)."),
    401: OpenApiResponse(
        ErrorSerializer, description="No key, or an unknown or revoked one, or an inactive client "
        "(`not_authenticated`, `key_invalid`, `key_revoked`, `client_inactive`).",
    ),
    403: OpenApiResponse(
        ErrorSerializer, description="The tier does not open the endpoint (`tier_insufficient`, details `tier`, "
        "`required_tier`), or the canton is not the client's (`canton_not_allowed`, details `allowed_cantons`).",
    ),
    404: OpenApiResponse(ErrorSerializer, description="Unknown canton, municipality or community (`not_found`)."),
    429: OpenApiResponse(
        ErrorSerializer, description="The key's hourly or daily limit is reached (`throttled`); `Retry-After` says "
        "in how many seconds its window frees.",
    ),
}


def drop_slash_twins(endpoints):
    """drf-spectacular preprocessing hook: ``/api/v1/<name>/`` answers like ``/api/v1/<name>``; document one."""
    return [
        endpoint for endpoint in endpoints
        if not (endpoint[0].startswith(PATH_PREFIX) and endpoint[0].endswith("/"))
    ]


RETRY_AFTER = {
    "description": "Seconds until the key's exhausted window (clock hour or Europe/Zurich day) frees.",
    "schema": {"type": "integer", "minimum": 1},
}


def add_endpoint_examples(result, generator, request, public):
    """drf-spectacular postprocessing hook: each B2B endpoint's query parameters get its example values, and its
    429 answer the ``Retry-After`` header."""
    from api.b2b.registry import ENDPOINTS

    for address, path in result.get("paths", {}).items():
        if not address.startswith(PATH_PREFIX):
            continue
        endpoint = ENDPOINTS.get(address.removeprefix(PATH_PREFIX))
        operation = path.get("get")
        if endpoint is None or operation is None:
            continue
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query" and parameter["name"] in endpoint.example.query:
                parameter["example"] = endpoint.example.query[parameter["name"]]
        if "429" in operation.get("responses", {}):
            operation["responses"]["429"]["headers"] = {"Retry-After": RETRY_AFTER}
    return result
