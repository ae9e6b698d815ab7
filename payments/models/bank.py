"""Payments in: the bank files we read (camt.054, camt.053) and every credit in them with what became of it."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models.audit import Door
from openleg.formats import format_chf
from openleg.protected_files import unguessable_path


class BankFileFormat(models.TextChoices):
    CAMT_054 = "camt.054", _("camt.054 (Gutschriftsanzeige)")
    CAMT_053 = "camt.053", _("camt.053 (Kontoauszug)")


class BankFileStatus(models.TextChoices):
    PREVIEW = "preview", _("Vorschau")
    BOOKED = "booked", _("verbucht")
    UNCHANGED = "unchanged", _("bereits importiert")
    REJECTED = "rejected", _("abgelehnt")


class CreditStatus(models.TextChoices):
    MATCHED = "matched", _("verbucht")
    SUGGESTED = "suggested", _("Vorschlag")
    UNMATCHED = "unmatched", _("nicht zugeordnet")
    DUPLICATE = "duplicate", _("Duplikat")
    NOT_BOOKED = "not_booked", _("nicht verbucht")


# the credits that hold their dedupe key: booked, or waiting for a person to assign them
KEY_HOLDING = (CreditStatus.MATCHED, CreditStatus.SUGGESTED, CreditStatus.UNMATCHED, CreditStatus.NOT_BOOKED)


def _bank_file_path(instance: "BankFile", filename: str) -> str:
    return unguessable_path(f"bank-files/{instance.created_at:%Y/%m}", filename)


class BankFile(models.Model):
    """One delivered bank file: kept as it came, with who brought it, through which door, and what it booked."""

    created_at = models.DateTimeField(_("erstellt am"), db_index=True)
    booked_at = models.DateTimeField(_("verbucht am"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("durch"),
    )
    door = models.CharField(_("Zugang"), max_length=16, choices=Door.choices)
    filename = models.CharField(_("Dateiname"), max_length=255)
    file = models.FileField(_("Originaldatei"), upload_to=_bank_file_path, max_length=400)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("Grösse (Bytes)"))
    format = models.CharField(_("Format"), max_length=8, blank=True, choices=BankFileFormat.choices)
    version = models.CharField(_("Version"), max_length=8, blank=True)  # 001.08 or 001.04
    message_id = models.CharField(_("Nachrichten-ID"), max_length=35, blank=True)
    account_iban = models.CharField(_("Konto (IBAN)"), max_length=34, blank=True)
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_files",
        verbose_name=_("Gemeinschaft"),
    )
    status = models.CharField(_("Status"), max_length=16, choices=BankFileStatus.choices)
    same_as = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bereits importiert als"),
    )
    errors = models.JSONField(_("Fehler"), default=list, blank=True)
    matched_count = models.PositiveIntegerField(_("verbucht"), default=0)
    matched_chf = models.DecimalField(_("verbucht (CHF)"), max_digits=14, decimal_places=2, default=0)
    suggested_count = models.PositiveIntegerField(_("Vorschläge"), default=0)
    suggested_chf = models.DecimalField(_("Vorschläge (CHF)"), max_digits=14, decimal_places=2, default=0)
    unmatched_count = models.PositiveIntegerField(_("nicht zugeordnet"), default=0)
    unmatched_chf = models.DecimalField(_("nicht zugeordnet (CHF)"), max_digits=14, decimal_places=2, default=0)
    duplicate_count = models.PositiveIntegerField(_("Duplikate"), default=0)
    duplicate_chf = models.DecimalField(_("Duplikate (CHF)"), max_digits=14, decimal_places=2, default=0)
    not_booked_count = models.PositiveIntegerField(_("nicht verbucht"), default=0)
    not_booked_chf = models.DecimalField(_("nicht verbucht (CHF)"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("Bankdatei")
        verbose_name_plural = _("Bankdateien")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The same file is booked at most once: a second delivery of it books nothing.
            models.UniqueConstraint(fields=["sha256"], condition=Q(status="booked"), name="bank_file_booked_once"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @staticmethod
    def hash_of(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


class BankCredit(models.Model):
    """A credit transaction of a bank file (one ``TxDtls``, or an entry without details) and its outcome."""

    bank_file = models.ForeignKey(
        BankFile, on_delete=models.PROTECT, related_name="credits", verbose_name=_("Bankdatei")
    )
    position = models.PositiveIntegerField(_("Position"))
    line = models.PositiveIntegerField(_("Zeile"))
    entry_status = models.CharField(_("Buchungsstatus der Bank"), max_length=4)  # BOOK, PDNG, INFO
    booked_on = models.DateField(_("Buchungsdatum"), null=True, blank=True)
    value_date = models.DateField(_("Valuta"), null=True, blank=True)
    amount = models.DecimalField(_("Betrag"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("Währung"), max_length=3)
    reference = models.CharField(_("Referenz"), max_length=35, blank=True)
    reference_type = models.CharField(_("Referenzart"), max_length=35, blank=True)
    unstructured = models.CharField(_("Mitteilung"), max_length=500, blank=True)
    debtor_name = models.CharField(_("Zahlende Person"), max_length=140, blank=True)
    debtor_iban = models.CharField(_("IBAN der zahlenden Person"), max_length=34, blank=True)
    account_servicer_ref = models.CharField(_("Bankreferenz"), max_length=70, blank=True)
    dedupe_key = models.CharField(_("Dublettenschlüssel"), max_length=200)
    status = models.CharField(_("Status"), max_length=16, choices=CreditStatus.choices)
    reason = models.CharField(_("Grund"), max_length=300, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Duplikat von"),
    )
    invoice = models.ForeignKey(
        "billing.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_credits",
        verbose_name=_("Rechnung"),
    )
    settlement = models.OneToOneField(
        "billing.Settlement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_credit",
        verbose_name=_("Buchung"),
    )
    resolved_at = models.DateTimeField(_("von Hand erledigt am"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("von Hand erledigt durch"),
    )
    resolved_door = models.CharField(_("erledigt über"), max_length=16, blank=True, choices=Door.choices)

    class Meta:
        verbose_name = _("Zahlungseingang")
        verbose_name_plural = _("Zahlungseingänge")
        ordering = ["bank_file", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bank_file", "position"], name="bank_credit_unique_position"),
            # a credit delivered twice (camt.054, then camt.053) is booked or awaits assignment only once
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(entry_status="BOOK", status__in=[str(status) for status in KEY_HOLDING]),
                name="bank_credit_once",
            ),
            models.CheckConstraint(
                condition=Q(settlement__isnull=True) | Q(status="matched"), name="bank_credit_settled_is_matched"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_file_id}/{self.position}: {self.currency} {self.amount}"

    @property
    def amount_text(self) -> str:
        return format_chf(self.amount)


class DebitStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Auszahlung bestätigt")
    MISMATCH = "mismatch", _("Betrag weicht ab")
    NOT_CONFIRMED = "not_confirmed", _("nicht bestätigt")
    DUPLICATE = "duplicate", _("Duplikat")
    NOT_BOOKED = "not_booked", _("nicht verbucht")
    OTHER = "other", _("keine Auszahlung")


class BankDebit(models.Model):
    """A debit transaction of a bank file: the bank's confirmation of a payout transfer, or why it is none."""

    bank_file = models.ForeignKey(
        BankFile, on_delete=models.PROTECT, related_name="debits", verbose_name=_("Bankdatei")
    )
    position = models.PositiveIntegerField(_("Position"))  # 1-based among the debits of the file
    line = models.PositiveIntegerField(_("Zeile"))
    entry_status = models.CharField(_("Buchungsstatus der Bank"), max_length=4)
    booked_on = models.DateField(_("Buchungsdatum"), null=True, blank=True)
    amount = models.DecimalField(_("Betrag"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("Währung"), max_length=3)
    end_to_end_id = models.CharField(_("End-to-End-ID"), max_length=35, blank=True)
    account_servicer_ref = models.CharField(_("Bankreferenz"), max_length=70, blank=True)
    status = models.CharField(_("Status"), max_length=16, choices=DebitStatus.choices)
    reason = models.CharField(_("Grund"), max_length=300, blank=True)
    payout = models.ForeignKey(
        "payments.Payout",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_debits",
        verbose_name=_("Überweisung"),
    )

    class Meta:
        verbose_name = _("Belastung")
        verbose_name_plural = _("Belastungen")
        ordering = ["bank_file", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bank_file", "position"], name="bank_debit_unique_position"),
            # the bank confirms a transfer once: a second file with the same debit confirms nothing again
            models.UniqueConstraint(
                fields=["payout"], condition=Q(status="confirmed"), name="bank_debit_confirms_once"
            ),
            models.CheckConstraint(
                condition=Q(payout__isnull=False) | ~Q(status="confirmed"), name="bank_debit_confirmed_has_payout"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_file_id}/D{self.position}: {self.currency} {self.amount}"

    @property
    def amount_text(self) -> str:
        return format_chf(self.amount)
