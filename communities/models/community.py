from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models.metering_points import Membership, point_outside_grid
from openleg.addresses import StructuredAddress
from openleg.choice_labels import ChoiceLabelsMixin
from openleg.iban import is_qr_iban, payout_iban_error

vat_number_validator = RegexValidator(
    r"^CHE-\d{3}\.\d{3}\.\d{3}( MWST)?$", _("Die UID hat die Form CHE-123.456.789 (optional mit «MWST»).")
)


class CommunityStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    PARTICIPANTS_COMPLETE = "participants_complete", _("Teilnehmende vollständig")
    ELIGIBLE = "eligible", _("Voraussetzungen erfüllt")
    DOCUMENTS_READY = "documents_ready", _("Dokumente bereit")
    OUT_FOR_SIGNATURE = "out_for_signature", _("In Unterzeichnung")
    SIGNED = "signed", _("Unterzeichnet")
    REGISTERED = "registered", _("Beim VNB angemeldet")
    ACTIVE = "active", _("Aktiv")
    REJECTED = "rejected", _("Abgelehnt")
    ABANDONED = "abandoned", _("Aufgegeben")


class ReductionRate(models.IntegerChoices):
    # One rate per community (StromVV): 40 % within one transformer circuit, 20 % across.
    SAME_CIRCUIT = 40, _("40 % (ein Trafokreis)")
    ACROSS_TRANSFORMER = 20, _("20 % (über eine Transformation)")


class CreditHandling(models.TextChoices):
    # What the community does with a participant's net credit: the invoice texts say exactly this.
    PAYOUT = "payout", _("auszahlen")
    CARRY_OVER = "carry_over", _("mit der nächsten Abrechnung verrechnen")


class GridLevel(models.IntegerChoices):
    NE3 = 3, _("Netzebene 3 (Hochspannung, über 36 kV)")
    NE4 = 4, _("Netzebene 4 (Transformierung Hoch-/Mittelspannung)")
    NE5 = 5, _("Netzebene 5 (Mittelspannung)")
    NE6 = 6, _("Netzebene 6 (Transformierung Mittel-/Niederspannung)")
    NE7 = 7, _("Netzebene 7 (Niederspannung)")


class Community(ChoiceLabelsMixin, StructuredAddress):
    """A Lokale Elektrizitätsgemeinschaft (LEG) in the grid of one utility."""

    utility = models.ForeignKey(
        "pipeline.Utility", on_delete=models.PROTECT, related_name="communities", verbose_name=_("Netzbetreiber")
    )
    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kurzbezeichnung"), max_length=60, unique=True, null=True, blank=True)
    municipality = models.ForeignKey(
        "pipeline.Municipality", on_delete=models.PROTECT, related_name="communities", verbose_name=_("Gemeinde")
    )
    grid_level = models.PositiveSmallIntegerField(_("Netzebene"), choices=GridLevel.choices, default=GridLevel.NE7)
    reduction_percent = models.PositiveSmallIntegerField(
        _("Reduktion Netznutzungstarif (%)"), choices=ReductionRate.choices, default=ReductionRate.SAME_CIRCUIT
    )
    status = models.CharField(
        _("Status"), max_length=32, choices=CommunityStatus.choices, default=CommunityStatus.DRAFT
    )
    start_date = models.DateField(_("Startdatum"), null=True, blank=True)
    registered_on = models.DateField(
        _("Anmeldung beim VNB am"),
        null=True,
        blank=True,
        help_text=_("Tag, an dem die Anmeldung beim Netzbetreiber eingereicht wurde oder wird."),
    )
    notice_months = models.PositiveSmallIntegerField(
        _("Kündigungsfrist (Monate)"),
        default=3,
        help_text=_("Frist für den Austritt einzelner Teilnehmender, jeweils auf ein Monatsende."),
    )
    representative = models.ForeignKey(
        "communities.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Vertretung der LEG"),
    )
    vat_number = models.CharField(
        _("MWST-Nummer (UID)"),
        max_length=20,
        blank=True,
        validators=[vat_number_validator],
        help_text=_("Nur ausfüllen, wenn die LEG als Rechnungsstellerin mehrwertsteuerpflichtig ist."),
    )
    vnb_reference = models.CharField(
        _("LEG-Kennung beim VNB"),
        max_length=64,
        blank=True,
        help_text=_("Die Kennung, unter der der Netzbetreiber die LEG in SDAT-Lieferungen führt (CommunityID)."),
    )
    iban = models.CharField(_("IBAN für Zahlungen"), max_length=34, blank=True)
    account_iban = models.CharField(
        _("IBAN des Kontos für Auszahlungen"),
        max_length=42,
        blank=True,
        help_text=_(
            "Nur nötig, wenn die IBAN für Zahlungen eine QR-IBAN ist: die gewöhnliche IBAN desselben Kontos, "
            "von dem Guthaben ausbezahlt werden."
        ),
    )
    credit_handling = models.CharField(
        _("Guthaben"),
        max_length=16,
        choices=CreditHandling.choices,
        default=CreditHandling.CARRY_OVER,
        help_text=_("Was mit einem Guthaben einer teilnehmenden Person geschieht."),
    )
    reminder_fee_chf = models.DecimalField(
        _("Mahngebühr (CHF)"),
        max_digits=8,
        decimal_places=2,
        default=0,
        help_text=_("Gebühr je Mahnung ab der zweiten Stufe; 0 für keine Gebühr."),
    )
    email_sender_name = models.CharField(
        _("Absendername für E-Mails"), max_length=100, blank=True, help_text=_("Leer: der Name der LEG.")
    )
    reply_to_email = models.EmailField(
        _("Antwortadresse für E-Mails"), blank=True, help_text=_("Wohin Teilnehmende auf Rechnungen antworten.")
    )
    created_at = models.DateTimeField(_("erfasst am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Gemeinschaft (LEG)")
        verbose_name_plural = _("Gemeinschaften (LEG)")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["utility", "name"], name="community_unique_name_per_utility"),
            models.CheckConstraint(condition=Q(reduction_percent__in=[40, 20]), name="community_reduction_40_or_20"),
            models.CheckConstraint(condition=Q(grid_level__gte=3, grid_level__lte=7), name="community_grid_level"),
            models.CheckConstraint(condition=Q(reminder_fee_chf__gte=0), name="community_reminder_fee_gte_0"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def reduction_rate(self) -> Decimal:
        return Decimal(self.reduction_percent) / 100

    @property
    def is_vat_registered(self) -> bool:
        return bool(self.vat_number)

    @property
    def payout_account(self) -> str:
        """The ordinary IBAN that payouts are debited from: ``account_iban``, else ``iban`` unless a QR-IBAN."""
        return self.account_iban or ("" if is_qr_iban(self.iban) else self.iban)

    @property
    def sender_name(self) -> str:
        return self.email_sender_name or self.name

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.account_iban and payout_iban_error(self.account_iban):
            errors["account_iban"] = payout_iban_error(self.account_iban)
        if self.start_date and self.start_date.day != 1:
            errors["start_date"] = _("Eine LEG beginnt immer am Ersten eines Monats.")
        if self.representative_id and self.pk and self.representative.community_id != self.pk:
            errors["representative"] = _("Die Vertretung muss selbst an dieser LEG teilnehmen.")
        outside = (
            self.pk
            and self.utility_id
            and point_outside_grid(Membership.objects.filter(participant__community_id=self.pk), self.utility_id)
        )
        if outside:
            errors["utility"] = _(
                "Der Messpunkt %(mp)s dieser Gemeinschaft gehört zum Netz von %(utility)s; "
                "der Netzbetreiber kann nicht wechseln."
            ) % {"mp": outside[0], "utility": outside[1]}
        if (
            self.utility_id
            and self.municipality_id
            and not self.utility.municipalities.filter(pk=self.municipality_id).exists()
        ):
            errors["municipality"] = _("Diese Gemeinde liegt nicht im Netzgebiet von %(utility)s.") % {
                "utility": self.utility
            }
        if errors:
            raise ValidationError(errors)
