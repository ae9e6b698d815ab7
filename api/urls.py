"""The API under /api/: the B2B endpoints (/api/v1/), the agent tools (one address per tool, from ``TOOLS``), their
download links, the schema and its docs page; anything else under /api/ answers 404 in the error shape."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.agent.registry import TOOLS
from api.agent.rest_views import URL_NAME, ToolIndexView, UnknownAddressView, tool_view

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start script from this same address (?script=): the CSP allows scripts from self.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("agent/v1/", ToolIndexView.as_view(), name="agent-tools"),
    # Signed, expiring file links the document and billing tools hand out (api.agent.downloads.PREFIX).
    path("agent/v1/downloads/", include("api.agent.download_urls")),
    *(
        path(f"agent/v1/{name}/", tool_view(tool).as_view(), name=URL_NAME.format(name=name))
        for name, tool in sorted(TOOLS.items())
    ),
    path("", include("api.b2b.urls")),  # /api/v1/: the B2B endpoints
    re_path(r"^", UnknownAddressView.as_view()),
]
