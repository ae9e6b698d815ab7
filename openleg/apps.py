from django.apps import AppConfig


class OpenLEGConfig(AppConfig):
    """The project package as an app: cross-app management commands (the demo) live here."""

    name = "openleg"
    verbose_name = "OpenLEG"
