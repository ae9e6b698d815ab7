from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Door(models.TextChoices):
    ADMIN = "admin", _("Administration")
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    COMMAND = "command", _("Befehl")
    TASK = "task", _("Hintergrundaufgabe")
    IMPORT = "import", _("Import")
    AGENT = "agent", _("KI-Agent")


class AuditEntry(models.Model):
    """Who changed what, when and through which door: membership, metering points, tariffs."""

    class Action(models.TextChoices):
        CREATE = "create", _("erstellt")
        UPDATE = "update", _("geändert")
        DELETE = "delete", _("gelöscht")

    at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("durch"),
    )
    door = models.CharField(_("Zugang"), max_length=16, choices=Door.choices)
    action = models.CharField(_("Aktion"), max_length=8, choices=Action.choices)
    model = models.CharField(_("Objektart"), max_length=64)
    object_pk = models.CharField(_("Objekt-ID"), max_length=64)
    object_repr = models.CharField(_("Objekt"), max_length=200)
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("Gemeinschaft"),
    )
    changes = models.JSONField(_("Änderungen"), default=dict, blank=True)

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Änderungsprotokoll")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["model", "object_pk"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.object_repr}"
