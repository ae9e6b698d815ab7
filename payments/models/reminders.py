"""Payment reminders: proposed as a list per community, approved by a person, then rendered and sent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models.audit import Door
from openleg.protected_files import unguessable_path


class ReminderRunStatus(models.TextChoices):
    DRAFT = "draft", _("Vorschlag")
    APPROVED = "approved", _("freigegeben")
    DISCARDED = "discarded", _("verworfen")


class ReminderRun(models.Model):
    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, related_name="reminder_runs", verbose_name=_("Gemeinschaft")
    )
    as_of = models.DateField(_("Stichtag"))
    status = models.CharField(
        _("Status"), max_length=12, choices=ReminderRunStatus.choices, default=ReminderRunStatus.DRAFT
    )
    created_at = models.DateTimeField(_("vorgeschlagen am"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vorgeschlagen durch"),
    )
    door = models.CharField(_("Zugang"), max_length=16, choices=Door.choices)
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entschieden durch"),
    )
    pdf_error = models.TextField(_("Fehler bei der PDF-Erstellung"), blank=True)
    pdf_error_at = models.DateTimeField(_("Fehler am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Mahnlauf")
        verbose_name_plural = _("Mahnläufe")
        ordering = ["-created_at"]
        constraints = [
            # one list waits for a decision per community at a time
            models.UniqueConstraint(
                fields=["community"], condition=Q(status="draft"), name="reminder_run_one_draft_per_community"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.as_of:%d.%m.%Y}"


def _reminder_pdf_path(reminder: "Reminder", filename: str) -> str:
    return unguessable_path(f"reminders/{reminder.run.community_id}/{reminder.run_id}", filename)


class Reminder(models.Model):
    """One reminder of one invoice at one level; a discarded list's reminders are removed with it."""

    run = models.ForeignKey(ReminderRun, on_delete=models.CASCADE, related_name="reminders")
    invoice = models.ForeignKey(
        "billing.Invoice", on_delete=models.PROTECT, related_name="reminders", verbose_name=_("Rechnung")
    )
    level = models.PositiveSmallIntegerField(_("Stufe"))
    open_chf = models.DecimalField(_("offen (CHF)"), max_digits=12, decimal_places=2)
    fee_chf = models.DecimalField(_("Mahngebühr (CHF)"), max_digits=8, decimal_places=2, default=0)
    due_date = models.DateField(_("neu zahlbar bis"))
    pdf = models.FileField(_("PDF"), upload_to=_reminder_pdf_path, max_length=255, blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 des PDF"), max_length=64, blank=True)
    fee_settlement = models.OneToOneField(
        "billing.Settlement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Buchung der Gebühr"),
    )

    class Meta:
        verbose_name = _("Mahnung")
        verbose_name_plural = _("Mahnungen")
        ordering = ["run", "invoice__number"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "level"], name="reminder_one_per_level"),
            models.CheckConstraint(condition=Q(level__gte=1), name="reminder_level_from_1"),
            models.CheckConstraint(condition=Q(fee_chf__gte=0), name="reminder_fee_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.level}. Mahnung {self.invoice}"

    @property
    def amount_due(self):
        return self.open_chf + self.fee_chf
