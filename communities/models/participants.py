from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from communities.models.metering_points import point_outside_grid
from openleg.addresses import StructuredAddress
from openleg.choice_labels import ChoiceLabelsMixin
from openleg.iban import payout_iban_error


class ParticipantKind(models.TextChoices):
    PERSON = "person", _("Privatperson")
    COMPANY = "company", _("Unternehmen")


class ParticipantRole(models.TextChoices):
    CONSUMER = "consumer", _("Verbraucher")
    PRODUCER = "producer", _("Produzent")
    PROSUMER = "prosumer", _("Prosumer")
    STORAGE = "storage", _("Speicher")


class Participant(ChoiceLabelsMixin, StructuredAddress):
    """A member of a community: a person or a company with its membership period (end inclusive)."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, related_name="participants", verbose_name=_("Gemeinschaft")
    )
    kind = models.CharField(_("Art"), max_length=16, choices=ParticipantKind.choices, default=ParticipantKind.PERSON)
    first_name = models.CharField(_("Vorname"), max_length=100, blank=True)
    last_name = models.CharField(_("Nachname"), max_length=100, blank=True)
    company_name = models.CharField(_("Firma"), max_length=200, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    role = models.CharField(_("Rolle"), max_length=16, choices=ParticipantRole.choices)
    member_from = models.DateField(_("Mitglied ab"))
    member_to = models.DateField(_("Mitglied bis"), null=True, blank=True)
    customer_number = models.CharField(_("Kundennummer"), max_length=32)
    iban = models.CharField(
        _("IBAN für Auszahlungen"),
        max_length=42,
        blank=True,
        help_text=_("Konto, auf das Guthaben ausbezahlt werden (keine QR-IBAN)."),
    )
    account_holder = models.CharField(
        _("Kontoinhaber"), max_length=70, blank=True, help_text=_("Leer: der Name der teilnehmenden Person.")
    )

    class Meta:
        verbose_name = _("Teilnehmende")
        verbose_name_plural = _("Teilnehmende")
        ordering = ["community", "customer_number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "customer_number"], name="participant_unique_customer_number"),
            models.CheckConstraint(
                condition=Q(member_to__isnull=True) | Q(member_to__gte=F("member_from")),
                name="participant_membership_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(kind="person") & ~Q(last_name="")) | (Q(kind="company") & ~Q(company_name="")),
                name="participant_has_name",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == ParticipantKind.COMPANY:
            return self.company_name
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def payout_account_holder(self) -> str:
        return self.account_holder or self.display_name

    @property
    def produces(self) -> bool:
        return self.role in (ParticipantRole.PRODUCER, ParticipantRole.PROSUMER, ParticipantRole.STORAGE)

    @property
    def consumes(self) -> bool:
        return self.role in (ParticipantRole.CONSUMER, ParticipantRole.PROSUMER, ParticipantRole.STORAGE)

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.kind == ParticipantKind.PERSON and not self.last_name:
            errors["last_name"] = _("Bitte den Nachnamen angeben.")
        if self.kind == ParticipantKind.COMPANY and not self.company_name:
            errors["company_name"] = _("Bitte den Firmennamen angeben.")
        if self.member_to and self.member_from and self.member_to < self.member_from:
            errors["member_to"] = _("Das Austrittsdatum liegt vor dem Eintrittsdatum.")
        outside = self.pk and self.community_id and point_outside_grid(self.memberships, self.community.utility_id)
        if outside:
            errors["community"] = _(
                "Der Messpunkt %(mp)s gehört zum Netz von %(utility)s; die Gemeinschaft muss im selben Netz liegen."
            ) % {"mp": outside[0], "utility": outside[1]}
        if self.iban:
            problem = payout_iban_error(self.iban)
            if problem:
                errors["iban"] = problem
        if errors:
            raise ValidationError(errors)
