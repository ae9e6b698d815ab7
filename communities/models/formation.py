from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from communities.models.audit import Door
from communities.models.community import CommunityStatus


class FormationStep(models.Model):
    """One move of a community through the formation workflow: from, to, who, when, through which door."""

    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        related_name="formation_steps",
        verbose_name=_("Gemeinschaft"),
    )
    from_status = models.CharField(_("von"), max_length=32, choices=CommunityStatus.choices)
    to_status = models.CharField(_("nach"), max_length=32, choices=CommunityStatus.choices)
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
    note = models.TextField(_("Bemerkung"), blank=True)

    class Meta:
        verbose_name = _("Schritt der Gründung")
        verbose_name_plural = _("Verlauf der Gründung")
        ordering = ["community", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
