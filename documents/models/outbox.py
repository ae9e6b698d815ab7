"""The outbox: what is (to be) sent to participants by e-mail, one row per sending, and how a run's invoice PDFs
are coming along.

A dispatch names what it sends (``kind``: an invoice, credit statement or credit note, or a payment reminder) through
a nullable foreign key per kind, held together by a check constraint. "Never twice unless asked": the first dispatch
of an invoice (of a reminder) is unique; a resend is a new row pointing at the one it repeats (``resend_of``, one
resend per row), created only on request.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Door


class DispatchKind(models.TextChoices):
    INVOICE = "invoice", _("Rechnung / Gutschrift / Storno")
    REMINDER = "reminder", _("Mahnung")


class DispatchStatus(models.TextChoices):
    PENDING = "pending", _("wartet")
    SENDING = "sending", _("wird gesendet")
    SENT = "sent", _("gesendet")
    FAILED = "failed", _("fehlgeschlagen")
    NOT_SENDABLE = "not_sendable", _("keine E-Mail-Adresse")


# waiting for a worker, or in its hands: the beat entry picks these up again when they stay too long
OPEN_STATUSES = (DispatchStatus.PENDING, DispatchStatus.SENDING)


class Dispatch(models.Model):
    kind = models.CharField(_("Art"), max_length=16, choices=DispatchKind.choices, default=DispatchKind.INVOICE)
    invoice = models.ForeignKey(
        "billing.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatches",
        verbose_name=_("Rechnung"),
    )
    reminder = models.ForeignKey(
        "payments.Reminder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatches",
        verbose_name=_("Mahnung"),
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("Gemeinschaft")
    )
    recipient_name = models.CharField(_("Empfänger"), max_length=200)
    recipient_email = models.EmailField(_("E-Mail-Adresse"), blank=True, help_text=_("Die Adresse, wie verwendet."))
    status = models.CharField(
        _("Status"), max_length=16, choices=DispatchStatus.choices, default=DispatchStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    last_error = models.TextField(_("letzter Fehler"), blank=True)
    resend_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resent_by",
        verbose_name=_("erneuter Versand von"),
    )
    created_at = models.DateTimeField(_("erfasst am"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("veranlasst durch"),
    )
    door = models.CharField(_("Zugang"), max_length=16, choices=Door.choices)
    status_changed_at = models.DateTimeField(_("Status seit"))
    sent_at = models.DateTimeField(_("gesendet am"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("Versand")
        verbose_name_plural = _("Versand (Postausgang)")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="invoice", invoice__isnull=False, reminder__isnull=True)
                | Q(kind="reminder", reminder__isnull=False, invoice__isnull=True),
                name="dispatch_names_what_it_sends",
            ),
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(resend_of__isnull=True), name="dispatch_first_once_per_invoice"
            ),
            models.UniqueConstraint(
                fields=["reminder"], condition=Q(resend_of__isnull=True), name="dispatch_first_once_per_reminder"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="dispatch_sent_has_time"
            ),
        ]
        indexes = [models.Index(fields=["status", "status_changed_at"], name="dispatch_status_since")]

    def __str__(self) -> str:
        return f"{self.item} → {self.recipient_email or self.recipient_name}"

    @property
    def item(self):
        """What this dispatch sends: the invoice, or the reminder."""
        return self.reminder if self.kind == DispatchKind.REMINDER else self.invoice

    @property
    def participant(self):
        invoice = self.reminder.invoice if self.kind == DispatchKind.REMINDER else self.invoice
        return invoice.participant


class RunPdfRendering(models.Model):
    """The last request to render a billing run's invoice PDFs, and the error that stopped it, if one did.
    Progress itself is counted from the PDFs (``billing.InvoicePdf``), never stored twice."""

    run = models.OneToOneField(
        "billing.BillingRun", on_delete=models.CASCADE, related_name="pdf_rendering", verbose_name=_("Lauf")
    )
    requested_at = models.DateTimeField(_("angestossen am"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("angestossen durch"),
    )
    door = models.CharField(_("Zugang"), max_length=16, choices=Door.choices)
    error = models.TextField(_("Fehler"), blank=True)
    error_at = models.DateTimeField(_("Fehler am"), null=True, blank=True)

    class Meta:
        verbose_name = _("PDF-Erstellung eines Laufs")
        verbose_name_plural = _("PDF-Erstellungen")

    def __str__(self) -> str:
        return str(self.run)
