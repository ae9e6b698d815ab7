"""/api/v1/<name>, with or without a trailing slash, one address per registered endpoint (included by api.urls)."""

from django.urls import path

import api.b2b.endpoints  # noqa: F401  (registers the endpoints)
from api.b2b.registry import ENDPOINTS
from api.b2b.views import UnknownEndpointView, endpoint_view

URL_NAME = "v1-{name}"

urlpatterns = [
    *(
        route
        for name, endpoint in sorted(ENDPOINTS.items())
        for view in (endpoint_view(endpoint).as_view(),)
        for route in (
            path(f"v1/{name}", view, name=URL_NAME.format(name=name)),
            path(f"v1/{name}/", view),
        )
    ),
    path("v1/<str:name>", UnknownEndpointView.as_view()),
    path("v1/<str:name>/", UnknownEndpointView.as_view()),
]
