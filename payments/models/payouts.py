"""Payouts of credits: a batch is one pain.001 file sent to the bank, a payout one transfer in it.

A batch is exported, then either confirmed once the bank has executed it (each payout books a settlement that
closes its credit item) or cancelled before that (its items are free again). A credit item is in at most one live
batch: ``Payout.live`` mirrors "the batch is not cancelled" so the database can hold that rule in a partial unique
index.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Door
from openleg.protected_files import unguessable_path


class PayoutBatchStatus(models.TextChoices):
    EXPORTED = "exported", _("exportiert")
    CONFIRMED = "confirmed", _("von der Bank ausgeführt")
    CANCELLED = "cancelled", _("storniert")


def _payout_file_path(batch: "PayoutBatch", filename: str) -> str:
    return unguessable_path(f"payouts/{batch.community_id}", filename)


def _user(verbose_name) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class PayoutBatch(models.Model):
    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, related_name="payout_batches", verbose_name=_("Gemeinschaft")
    )
    message_id = models.CharField(_("Meldungs-ID"), max_length=35, unique=True)
    execution_date = models.DateField(_("Ausführungsdatum"))
    status = models.CharField(
        _("Status"), max_length=16, choices=PayoutBatchStatus.choices, default=PayoutBatchStatus.EXPORTED
    )
    debtor_iban = models.CharField(_("belastetes Konto (IBAN)"), max_length=34)
    payout_count = models.PositiveIntegerField(_("Überweisungen"))
    total_chf = models.DecimalField(_("Total (CHF)"), max_digits=12, decimal_places=2)
    file = models.FileField(_("pain.001-Datei"), upload_to=_payout_file_path, max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)
    created_by = _user(_("erstellt durch"))
    door = models.CharField(_("Zugang"), max_length=16, choices=Door.choices)
    confirmed_at = models.DateTimeField(_("bestätigt am"), null=True, blank=True)
    confirmed_by = _user(_("bestätigt durch"))
    confirmed_door = models.CharField(_("bestätigt über"), max_length=16, choices=Door.choices, blank=True)
    cancelled_at = models.DateTimeField(_("storniert am"), null=True, blank=True)
    cancelled_by = _user(_("storniert durch"))
    cancelled_door = models.CharField(_("storniert über"), max_length=16, choices=Door.choices, blank=True)
    cancel_reason = models.TextField(_("Grund der Stornierung"), blank=True)

    class Meta:
        verbose_name = _("Auszahlung")
        verbose_name_plural = _("Auszahlungen")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(total_chf__gt=0), name="payout_batch_total_positive"),
            models.CheckConstraint(condition=Q(payout_count__gt=0), name="payout_batch_not_empty"),
            models.CheckConstraint(
                condition=Q(status="confirmed", confirmed_at__isnull=False) | ~Q(status="confirmed"),
                name="payout_batch_confirmed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False) | ~Q(status="cancelled"),
                name="payout_batch_cancelled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.message_id


class Payout(models.Model):
    """One transfer of a batch: the credit of one item (credit statement, overpaid invoice or credit note)."""

    batch = models.ForeignKey(
        PayoutBatch, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("Auszahlung")
    )
    participant = models.ForeignKey(
        "communities.Participant", on_delete=models.PROTECT, related_name="payouts", verbose_name=_("Teilnehmende")
    )
    invoice = models.ForeignKey(
        "billing.Invoice", on_delete=models.PROTECT, related_name="payouts", verbose_name=_("Beleg")
    )
    amount_chf = models.DecimalField(_("Betrag (CHF)"), max_digits=12, decimal_places=2)
    end_to_end_id = models.CharField(_("End-to-End-ID"), max_length=35, unique=True)
    creditor_name = models.CharField(_("Empfänger (wie exportiert)"), max_length=70)
    creditor_iban = models.CharField(_("IBAN (wie exportiert)"), max_length=34)
    remittance = models.CharField(_("Mitteilung"), max_length=140)
    live = models.BooleanField(_("in gültiger Auszahlung"), default=True)
    settlement = models.OneToOneField(
        "billing.Settlement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payout",
        verbose_name=_("Ausgleichsbuchung"),
    )

    class Meta:
        verbose_name = _("Überweisung")
        verbose_name_plural = _("Überweisungen")
        ordering = ["batch", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_chf__gt=0), name="payout_amount_positive"),
            # the same credit is never paid out twice: at most one payout per item outside cancelled batches
            models.UniqueConstraint(fields=["invoice"], condition=Q(live=True), name="payout_item_once_live"),
        ]

    def __str__(self) -> str:
        return f"{self.end_to_end_id}: CHF {self.amount_chf}"
