"""The ASGI application (uvicorn): Django, the MCP server at ``settings.MCP_PATH``, and the static files."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openleg.settings.local")

django_application = get_asgi_application()  # sets Django up: the imports below need the settings and the apps


def build_application():
    """A new application with its own MCP session manager (the SDK runs a manager only once)."""
    from django.conf import settings

    from api.mcp.http import mcp_http
    from openleg.asgi_router import Router
    from openleg.static_asgi import StaticFilesASGI

    mcp = mcp_http()
    return Router(
        django=StaticFilesASGI(django_application), mcp=mcp.app, mcp_path=settings.MCP_PATH, lifespan=mcp.lifespan
    )


application = build_application()
