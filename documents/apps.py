from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Dokumente")

    def ready(self) -> None:
        from documents import receivers  # noqa: F401  (connects the receivers of billing's signals)
