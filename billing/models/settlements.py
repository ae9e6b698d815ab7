"""The receivables ledger: what settled an issued invoice, credit statement or credit note, and by how much.

An item's open amount is its total plus the amounts of its settlements: a payment received lowers what a
participant owes (negative amount), a payout or a carry-over of a credit raises a negative balance towards zero,
a reminder fee adds to what is owed. Settlements are records like invoices: never changed or deleted; a mistake is
corrected by a settlement of the opposite amount.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models.invoices import ImmutableRecord, Invoice
from communities.models.audit import Door


class SettlementKind(models.TextChoices):
    PAYMENT = "payment", _("Zahlungseingang")
    PAYOUT = "payout", _("Auszahlung")
    CARRY_OVER = "carry_over", _("Übertrag auf Folgerechnung")
    CANCELLATION = "cancellation", _("Ausgleich durch Storno")
    REMINDER_FEE = "reminder_fee", _("Mahngebühr")
    REVERSAL = "reversal", _("Korrekturbuchung")


class Settlement(ImmutableRecord):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="settlements", verbose_name=_("Rechnung")
    )
    kind = models.CharField(_("Art"), max_length=16, choices=SettlementKind.choices)
    amount_chf = models.DecimalField(
        _("Betrag (CHF)"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Veränderung des offenen Betrags: negativ für Zahlungen, positiv für Auszahlungen und Gebühren."),
    )
    booked_on = models.DateField(_("Buchungsdatum"))
    counterpart = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Gegenbeleg"),
        help_text=_("Die Folgerechnung eines Übertrags oder der Storno eines Ausgleichs."),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("korrigiert Buchung"),
    )
    note = models.CharField(_("Text"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("erfasst am"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erfasst durch"),
    )
    door = models.CharField(_("Zugang"), max_length=16, choices=Door.choices)

    class Meta:
        verbose_name = _("Ausgleichsbuchung")
        verbose_name_plural = _("Ausgleichsbuchungen")
        ordering = ["invoice", "booked_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_chf=0), name="settlement_amount_not_zero"),
            # a credit is carried over to one following invoice only once
            models.UniqueConstraint(
                fields=["invoice", "counterpart"],
                condition=Q(kind="carry_over"),
                name="settlement_carry_over_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_chf} ({self.invoice})"
