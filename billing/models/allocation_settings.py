from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AllocationMethod(models.TextChoices):
    PROPORTIONAL = "proportional", _("proportional zum Verbrauch")
    STATIC = "static", _("feste Schlüssel (eine Runde)")
    STATIC_REDISTRIBUTED = "static_redistributed", _("feste Schlüssel mit Umverteilung")
    PRIORITY = "priority", _("Prioritäten")


class AllocationSetting(models.Model):
    """How a community shares its production, from an effective date on (versioned, never edited once used)."""

    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.PROTECT,
        related_name="allocation_settings",
        verbose_name=_("Gemeinschaft"),
    )
    method = models.CharField(
        _("Verfahren"), max_length=24, choices=AllocationMethod.choices, default=AllocationMethod.PROPORTIONAL
    )
    effective_from = models.DateField(_("gültig ab"))

    class Meta:
        verbose_name = _("Verteilverfahren")
        verbose_name_plural = _("Verteilverfahren")
        ordering = ["community", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["community", "effective_from"], name="allocation_setting_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.community}: {self.get_method_display()} ab {self.effective_from:%d.%m.%Y}"


class AllocationKey(models.Model):
    """A participant's key (static methods) or rank (priority) under one allocation setting."""

    setting = models.ForeignKey(
        AllocationSetting, on_delete=models.CASCADE, related_name="keys", verbose_name=_("Verteilverfahren")
    )
    participant = models.ForeignKey(
        "communities.Participant", on_delete=models.PROTECT, related_name="+", verbose_name=_("Teilnehmende")
    )
    weight = models.DecimalField(_("Schlüssel"), max_digits=9, decimal_places=6, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("Rang"), null=True, blank=True)

    class Meta:
        verbose_name = _("Verteilschlüssel")
        verbose_name_plural = _("Verteilschlüssel")
        constraints = [
            models.UniqueConstraint(fields=["setting", "participant"], name="allocation_key_unique_participant"),
            models.CheckConstraint(condition=Q(weight__isnull=True) | Q(weight__gte=0), name="allocation_key_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.weight if self.weight is not None else self.rank}"
