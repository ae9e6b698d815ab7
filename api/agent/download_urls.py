"""Mounted by the project at ``/api/agent/v1/downloads/`` (``api.agent.downloads.PREFIX``)."""

from django.urls import path

from api.agent.downloads import download

app_name = "agent_downloads"
urlpatterns = [path("<str:token>/", download, name="download")]
