"""The B2B door: one GET view per registered endpoint, generated from ``ENDPOINTS``. A view authenticates the key
and hands the call to ``call_endpoint``; nothing else."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.b2b.authentication import ApiKeyAuthentication
from api.b2b.calls import call_endpoint
from api.b2b.registry import ENDPOINTS, Endpoint
from api.b2b.schema import ERROR_RESPONSES
from api.errors import ApiError
from api.models import ApiKey


class B2BView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = []
    throttle_classes = []  # the key's own limits (api.b2b.limits), counted after the tier and canton checks
    http_method_names = ["get", "head"]  # read-only: OPTIONS and writes answer 405, and Allow says so

    def authenticated_key(self, request: Request) -> ApiKey:
        if not isinstance(request.auth, ApiKey):
            raise ApiError(
                "not_authenticated",
                _("Anmeldung fehlt: bitte den Header «Authorization: Bearer olk_…» oder «X-API-Key: olk_…» mitsenden."),
                status=401,
            )
        return request.auth


def endpoint_view(endpoint: Endpoint) -> type[B2BView]:
    """The view of one endpoint, with its operation in the OpenAPI schema."""

    def get(self, request: Request) -> Response:
        key = self.authenticated_key(request)
        return Response(call_endpoint(key, ENDPOINTS[endpoint.name], request.query_params))

    answer = OpenApiResponse(
        endpoint.answer_serializer, description="The answer.",
        examples=[OpenApiExample("Antwort", value=endpoint.example.answer, response_only=True)],
    )
    no_query = not endpoint.query_serializer().fields  # nothing to explode into parameters
    operation = extend_schema(
        operation_id=f"v1_{endpoint.name.replace('-', '_')}", summary=endpoint.summary,
        description=endpoint.description, tags=["b2b"],
        parameters=[] if no_query else [endpoint.query_serializer],
        responses={200: answer, **ERROR_RESPONSES},
    )
    members = {"__doc__": endpoint.description, "get": operation(get)}
    return type(f"{''.join(part.capitalize() for part in endpoint.name.split('-'))}View", (B2BView,), members)


@extend_schema(exclude=True)
class UnknownEndpointView(B2BView):
    """``/api/v1/<name>`` for a name no endpoint has: a known key learns it is unknown (404), anyone else 401."""

    def get(self, request: Request, name: str) -> Response:
        self.authenticated_key(request)
        raise ApiError(
            "not_found", _("Den Endpunkt «%(name)s» gibt es nicht.") % {"name": name}, status=404,
            details={"endpoint": name},
        )
