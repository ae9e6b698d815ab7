"""The download links' view where the project mounts it (openleg/urls.py is the integrator's)."""

from django.urls import include, path

urlpatterns = [path("api/agent/v1/downloads/", include("api.agent.download_urls"))]
