"""Invoices and credit notes: legal records, numbered per community without gaps, never changed."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openleg.choice_labels import ChoiceLabelsMixin
from openleg.protected_files import unguessable_path


class RecordLockedError(Exception):
    """An issued invoice or one of its lines was to be changed or deleted: correct it by a credit note."""


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Rechnung")
    # a participant's month whose credits exceed its charges: nothing to pay, the LEG owes the amount
    CREDIT_STATEMENT = "credit_statement", _("Gutschrift")
    # reverses an issued invoice or credit statement when its run is cancelled
    CREDIT_NOTE = "credit_note", _("Storno")


class LineKind(models.TextChoices):
    """What a line of a statement, and of the invoice it becomes, stands for."""

    ENERGY = "energy", _("LEG-Strom")
    CREDIT = "credit", _("Gutschrift Produktion")
    FEE = "fee", _("Gebühr")
    VAT = "vat", _("MWST")
    CARRY = "carry", _("Übertrag Guthaben")
    INFO = "info", _("Information")


MONTHLY_KINDS = (InvoiceKind.INVOICE, InvoiceKind.CREDIT_STATEMENT)


class InvoiceCounter(models.Model):
    """The last number issued per community; locked while numbering so numbers have no gaps."""

    community = models.OneToOneField("communities.Community", on_delete=models.PROTECT, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.community_id}: {self.last_number}"


class ImmutableRecord(models.Model):
    """Inserted once, never updated or deleted."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RecordLockedError(f"{self._meta.label} {self.pk} is a legal record and cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordLockedError(f"{self._meta.label} {self.pk} is a legal record and cannot be deleted")


class Invoice(ChoiceLabelsMixin, ImmutableRecord):
    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("Gemeinschaft")
    )
    number = models.PositiveIntegerField(_("Nummer"))
    kind = models.CharField(_("Art"), max_length=16, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    run = models.ForeignKey(
        "billing.BillingRun", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("Abrechnungslauf")
    )
    participant = models.ForeignKey(
        "communities.Participant", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("Teilnehmende")
    )
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credited_by",
        verbose_name=_("storniert Rechnung"),
    )
    issued_at = models.DateTimeField(_("ausgestellt am"))
    due_date = models.DateField(_("fällig am"))
    period_from = models.DateField(_("Leistungszeitraum von"))
    period_to = models.DateField(_("Leistungszeitraum bis"))
    # Copied at issue: later changes of names, addresses or prices never alter an issued invoice.
    issuer = models.JSONField(_("Rechnungsstellerin"))
    recipient = models.JSONField(_("Empfänger"))
    customer_number = models.CharField(_("Kundennummer"), max_length=32)
    vat_number = models.CharField(_("MWST-Nummer"), max_length=20, blank=True)
    vat_rate = models.DecimalField(_("MWST-Satz"), max_digits=5, decimal_places=4, default=0)
    subtotal_chf = models.DecimalField(_("Zwischensumme (CHF)"), max_digits=12, decimal_places=2)
    vat_chf = models.DecimalField(_("MWST (CHF)"), max_digits=12, decimal_places=2)
    carried_chf = models.DecimalField(
        _("Übertrag (CHF)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("Guthaben früherer Abrechnungen, mit dieser verrechnet (negativ)."),
    )
    total_chf = models.DecimalField(_("Total (CHF)"), max_digits=12, decimal_places=2)
    provisional_data = models.BooleanField(_("provisorische Messdaten"), default=False)
    reason = models.TextField(_("Grund"), blank=True)

    class Meta:
        verbose_name = _("Rechnung")
        verbose_name_plural = _("Rechnungen")
        ordering = ["community", "number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="invoice_unique_number"),
            models.UniqueConstraint(
                fields=["run", "participant"],
                condition=Q(kind__in=["invoice", "credit_statement"]),
                name="invoice_one_per_participant_and_run",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.display_number}"

    @property
    def display_number(self) -> str:
        return f"{self.community_id}-{self.number:06d}"


class InvoiceLine(ImmutableRecord):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines", verbose_name=_("Rechnung"))
    position = models.PositiveSmallIntegerField(_("Position"))
    # the kinds of the statement lines it is copied from
    kind = models.CharField(_("Art"), max_length=8, choices=LineKind.choices)
    label = models.CharField(_("Text"), max_length=200)
    quantity = models.DecimalField(_("Menge"), max_digits=14, decimal_places=3, null=True, blank=True)
    unit = models.CharField(_("Einheit"), max_length=16, blank=True)
    unit_price = models.DecimalField(_("Preis"), max_digits=10, decimal_places=4, null=True, blank=True)
    amount_chf = models.DecimalField(_("Betrag (CHF)"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("Rechnungsposition")
        verbose_name_plural = _("Rechnungspositionen")
        ordering = ["invoice", "position"]
        constraints = [models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.label}"


def _invoice_pdf_path(pdf: "InvoicePdf", filename: str) -> str:
    return unguessable_path(f"invoices/{pdf.invoice.community_id}/{pdf.invoice.run_id}", filename)


class InvoicePdf(ImmutableRecord):
    """The PDF of an issued invoice, credit statement or credit note: rendered once, kept as it was sent."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="pdf", verbose_name=_("Rechnung"))
    file = models.FileField(_("PDF"), upload_to=_invoice_pdf_path, max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.PositiveIntegerField(_("Grösse (Bytes)"))
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Rechnungs-PDF")
        verbose_name_plural = _("Rechnungs-PDFs")

    def __str__(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]
