from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

METERING_POINT_ID_PATTERN = r"^CH[0-9]{6}[0-9A-Z-]{25}$"

metering_point_id_validator = RegexValidator(
    METERING_POINT_ID_PATTERN,
    _("Eine Messpunkt-ID hat 33 Zeichen: «CH», 6 Ziffern der VNB-Nummer und 25 Zeichen aus 0–9, A–Z oder «-»."),
)
non_negative = MinValueValidator(0, _("Der Wert darf nicht negativ sein."))


class MeteringPoint(models.Model):
    """A smart-metered connection point, identified by its 33-character Swiss id."""

    mp_id = models.CharField(_("Messpunkt-ID"), max_length=33, unique=True, validators=[metering_point_id_validator])
    utility = models.ForeignKey(
        "pipeline.Utility", on_delete=models.PROTECT, related_name="metering_points", verbose_name=_("Netzbetreiber")
    )
    connection_capacity_kw = models.DecimalField(
        _("Anschlussleistung (kW)"), max_digits=10, decimal_places=3, validators=[non_negative]
    )
    installed_capacity_kwp = models.DecimalField(
        _("installierte erneuerbare Leistung (kWp)"),
        max_digits=10,
        decimal_places=3,
        default=0,
        validators=[non_negative],
    )
    transformer_circuit = models.CharField(_("Trafokreis"), max_length=64, blank=True)
    grid_level = models.PositiveSmallIntegerField(_("Netzebene"), default=7)
    has_smart_meter = models.BooleanField(_("intelligentes Messsystem"), default=True)
    site = models.CharField(_("Standort"), max_length=200, blank=True)
    municipality = models.ForeignKey(
        "pipeline.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="metering_points",
        verbose_name=_("Gemeinde des Standorts"),
    )

    class Meta:
        verbose_name = _("Messpunkt")
        verbose_name_plural = _("Messpunkte")
        ordering = ["mp_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mp_id__regex=METERING_POINT_ID_PATTERN), name="metering_point_id_format"
            ),
            models.CheckConstraint(condition=Q(connection_capacity_kw__gte=0), name="metering_point_connection_gte_0"),
            models.CheckConstraint(condition=Q(installed_capacity_kwp__gte=0), name="metering_point_installed_gte_0"),
            models.CheckConstraint(condition=Q(grid_level__gte=1, grid_level__lte=7), name="metering_point_grid_level"),
        ]

    def __str__(self) -> str:
        return self.mp_id

    def clean(self) -> None:
        super().clean()
        if self.pk is None or self.utility_id is None:
            return
        elsewhere = self.memberships.exclude(participant__community__utility_id=self.utility_id)
        clash = elsewhere.values_list("participant__community__name", "participant__community__utility__name").first()
        if clash is not None:
            raise ValidationError(
                {
                    "utility": _(
                        "Der Messpunkt %(mp)s ist der Gemeinschaft «%(community)s» zugeordnet, die im Netz von "
                        "%(utility)s liegt; er kann nicht in ein anderes Netz wechseln."
                    )
                    % {"mp": self.mp_id, "community": clash[0], "utility": clash[1]}
                }
            )


def point_outside_grid(memberships: models.QuerySet["Membership"], utility_id: int) -> tuple[str, str] | None:
    """The id and utility name of a point among `memberships` that is not in the grid of `utility_id`, if any."""
    outside = memberships.exclude(metering_point__utility_id=utility_id)
    return outside.values_list("metering_point__mp_id", "metering_point__utility__name").first()


class Membership(models.Model):
    """A metering point belonging to a participant, and so to its community, for a period.

    The end date is inclusive and empty while open. One metering point is in at most one
    community at a time: the database refuses overlapping periods (see ``openleg.no_overlap``).
    The point and the community are in the same utility's grid: the database refuses any write that
    breaks this, from either side (see ``openleg.same_utility``).
    """

    metering_point = models.ForeignKey(
        MeteringPoint, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("Messpunkt")
    )
    participant = models.ForeignKey(
        "communities.Participant",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("Teilnehmende"),
    )
    valid_from = models.DateField(_("gültig ab"))
    valid_to = models.DateField(_("gültig bis"), null=True, blank=True)

    class Meta:
        verbose_name = _("Zuordnung Messpunkt")
        verbose_name_plural = _("Zuordnungen Messpunkte")
        ordering = ["metering_point", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metering_point} → {self.participant}"

    def clean(self) -> None:
        super().clean()
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Das Ende liegt vor dem Beginn.")})
        if not (self.metering_point_id and self.participant_id and self.valid_from):
            return
        participant = self.participant
        if self.metering_point.utility_id != participant.community.utility_id:
            raise ValidationError({"metering_point": self.other_grid_message()})
        if self.valid_from < participant.member_from or (
            participant.member_to and (self.valid_to is None or self.valid_to > participant.member_to)
        ):
            raise ValidationError(
                {
                    "valid_from": _("Die Zuordnung muss innerhalb der Mitgliedschaft von %(participant)s liegen.")
                    % {"participant": participant}
                }
            )
        clash = self.overlapping().select_related("participant__community").first()
        if clash:
            raise ValidationError(
                {
                    "valid_from": _(
                        "Messpunkt %(mp)s ist ab %(start)s bereits %(participant)s in der Gemeinschaft «%(community)s» "
                        "zugeordnet. Ein Messpunkt kann nur in einer Gemeinschaft zugleich sein."
                    )
                    % {
                        "mp": self.metering_point,
                        "start": date_format(clash.valid_from, "SHORT_DATE_FORMAT"),
                        "participant": clash.participant,
                        "community": clash.participant.community,
                    }
                }
            )

    def other_grid_message(self) -> str:
        return _(
            "Der Messpunkt %(mp)s gehört zum Netz von %(point_utility)s, die Gemeinschaft zum Netz von %(utility)s."
        ) % {
            "mp": self.metering_point,
            "point_utility": self.metering_point.utility,
            "utility": self.participant.community.utility,
        }

    def overlapping(self) -> models.QuerySet["Membership"]:
        others = Membership.objects.filter(metering_point_id=self.metering_point_id).exclude(pk=self.pk)
        if self.valid_to:
            others = others.filter(valid_from__lte=self.valid_to)
        return others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from))
