from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Schnittstellen")

    def ready(self) -> None:
        import api.agent.tools  # noqa: F401  (registers every tool: both doors are built from TOOLS)
