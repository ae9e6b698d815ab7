from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Schnittstellen")

    def ready(self) -> None:
        import api.agent.tools  # noqa: F401  (registers every tool: both doors are built from TOOLS)
        from api.b2b.invalidation import connect

        connect()  # cached B2B figures go stale when their data changes
