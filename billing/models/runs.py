from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models.invoices import LineKind
from openleg.choice_labels import ChoiceLabelsMixin
from openleg.formats import format_moment


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    APPROVED = "approved", _("freigegeben")
    ISSUED = "issued", _("verrechnet")
    CANCELLED = "cancelled", _("storniert")


class BillingRun(ChoiceLabelsMixin, models.Model):
    """One community and one Europe/Zurich calendar month: the split, the money, and what was checked.

    ``snapshot`` keeps the tariffs, the allocation method and keys and the membership the run used, so
    that an approved run can be explained later whatever changes afterwards.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, related_name="billing_runs", verbose_name=_("Gemeinschaft")
    )
    year = models.PositiveSmallIntegerField(_("Jahr"))
    month = models.PositiveSmallIntegerField(_("Monat"))
    period_start = models.DateTimeField(_("Beginn (UTC)"))
    period_end = models.DateTimeField(_("Ende (UTC)"))
    quarter_hours = models.PositiveIntegerField(_("Viertelstunden"))
    status = models.CharField(_("Status"), max_length=16, choices=RunStatus.choices, default=RunStatus.DRAFT)
    method = models.CharField(_("Verfahren"), max_length=24)
    snapshot = models.JSONField(_("verwendete Grundlagen"), default=dict)
    issues = models.JSONField(_("Hinweise und Fehler"), default=list, blank=True)
    blocking_issues = models.PositiveIntegerField(_("blockierende Probleme"), default=0)
    deviations = models.PositiveIntegerField(_("Abweichungen zum VNB"), default=0)
    totals = models.JSONField(_("Summen"), default=dict)
    computed_at = models.DateTimeField(_("berechnet am"), null=True, blank=True)
    # What the figures were computed from (billing.basis): compared with the data of now before approval.
    basis = models.JSONField(_("Berechnungsgrundlage"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erstellt durch"),
    )
    approved_at = models.DateTimeField(_("freigegeben am"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("freigegeben durch"),
    )
    approval_reason = models.TextField(_("Begründung der Freigabe"), blank=True)
    cancelled_at = models.DateTimeField(_("storniert am"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("storniert durch"),
    )
    cancel_reason = models.TextField(_("Begründung der Stornierung"), blank=True)

    class Meta:
        verbose_name = _("Abrechnungslauf")
        verbose_name_plural = _("Abrechnungsläufe")
        ordering = ["-year", "-month", "community"]
        constraints = [
            # One live run per community and month: two workers starting it get the same run.
            models.UniqueConstraint(
                fields=["community", "year", "month"],
                condition=~Q(status="cancelled"),
                name="billing_run_one_live_per_month",
            ),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="billing_run_month_range"),
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.month:02d}/{self.year}"

    @property
    def is_frozen(self) -> bool:
        return self.status != RunStatus.DRAFT


class RunDay(models.Model):
    """Per participant and Europe/Zurich day: energy in whole Wh, ours and (where delivered) the VNB's."""

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="days")
    participant = models.ForeignKey("communities.Participant", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("Tag"))
    consumption_wh = models.BigIntegerField(_("Verbrauch (Wh)"))
    leg_wh = models.BigIntegerField(_("LEG-Anteil (Wh)"))
    grid_wh = models.BigIntegerField(_("Netzbezug (Wh)"))
    production_wh = models.BigIntegerField(_("Produktion (Wh)"))
    delivered_wh = models.BigIntegerField(_("an LEG geliefert (Wh)"))
    surplus_wh = models.BigIntegerField(_("Überschuss (Wh)"))
    vnb_leg_wh = models.BigIntegerField(_("LEG-Anteil laut VNB (Wh)"), null=True, blank=True)
    vnb_delivered_wh = models.BigIntegerField(_("Lieferung laut VNB (Wh)"), null=True, blank=True)

    class Meta:
        verbose_name = _("Tageswert")
        verbose_name_plural = _("Tageswerte")
        constraints = [models.UniqueConstraint(fields=["run", "participant", "day"], name="run_day_unique")]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.day}"


class StatementLine(ChoiceLabelsMixin, models.Model):
    """A draft line of a participant's statement in a run; approval copies the lines onto the invoice."""

    Kind = LineKind

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="lines")
    participant = models.ForeignKey("communities.Participant", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    label = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    unit = models.CharField(max_length=16, blank=True)
    unit_price = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    amount_chf = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    carried_from = models.ForeignKey(
        "billing.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["participant", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "participant", "position"], name="statement_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.label}"


class RunBatch(models.Model):
    """Runs started together from the console for one month: one item per community, for the progress page."""

    year = models.PositiveSmallIntegerField(_("Jahr"))
    month = models.PositiveSmallIntegerField(_("Monat"))
    created_at = models.DateTimeField(_("gestartet am"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gestartet durch"),
    )

    class Meta:
        verbose_name = _("Abrechnungsstapel")
        verbose_name_plural = _("Abrechnungsstapel")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="run_batch_month_range"),
        ]

    def __str__(self) -> str:
        return f"{self.month:02d}/{self.year} ({format_moment(self.created_at)})"


class RunBatchItem(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("wartet")
        DONE = "done", _("berechnet")
        REFUSED = "refused", _("abgelehnt")
        FAILED = "failed", _("fehlgeschlagen")

    batch = models.ForeignKey(RunBatch, on_delete=models.CASCADE, related_name="items")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("Gemeinschaft")
    )
    state = models.CharField(_("Stand"), max_length=8, choices=State.choices, default=State.QUEUED)
    run = models.ForeignKey(
        BillingRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("Lauf")
    )
    message = models.TextField(_("Meldung"), blank=True)
    finished_at = models.DateTimeField(_("fertig am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Gemeinschaft im Stapel")
        verbose_name_plural = _("Gemeinschaften im Stapel")
        ordering = ["batch", "community__name"]
        constraints = [models.UniqueConstraint(fields=["batch", "community"], name="run_batch_item_unique")]

    def __str__(self) -> str:
        return f"{self.community_id}: {self.get_state_display()}"
