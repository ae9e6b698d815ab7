from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from communities.weekdays import weekdays_in_words

non_negative = MinValueValidator(0, _("Der Wert darf nicht negativ sein."))
weekdays_validator = RegexValidator(
    r"^[1-7]{1,7}$", _("Wochentage als Ziffern 1 (Montag) bis 7 (Sonntag), z. B. 12345.")
)


class TariffInUseError(Exception):
    """A tariff that a billing run has used is a record: change it by a new version."""


class Tariff(models.Model):
    """Internal prices agreed in a community for a validity period (end inclusive).

    Versioned: once a billing run has used a tariff, it is never edited in place.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, related_name="tariffs", verbose_name=_("Gemeinschaft")
    )
    version = models.PositiveIntegerField(_("Version"))
    valid_from = models.DateField(_("gültig ab"))
    valid_to = models.DateField(_("gültig bis"), null=True, blank=True)
    consumer_price_rp_kwh = models.DecimalField(
        _("Bezugspreis intern (Rp./kWh)"), max_digits=8, decimal_places=4, validators=[non_negative]
    )
    producer_price_rp_kwh = models.DecimalField(
        _("Vergütung Produzenten (Rp./kWh)"), max_digits=8, decimal_places=4, validators=[non_negative]
    )
    used_at = models.DateTimeField(_("erstmals verrechnet am"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Tarif")
        verbose_name_plural = _("Tarife")
        ordering = ["community", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["community", "version"], name="tariff_unique_version"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="tariff_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(consumer_price_rp_kwh__gte=0, producer_price_rp_kwh__gte=0), name="tariff_prices_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community} v{self.version}"

    # Ending a used tariff (setting its last day) is how a new version takes over; nothing else may change.
    _CHANGEABLE_WHEN_USED = frozenset({"valid_to", "used_at"})

    def save(self, *args, **kwargs):
        stored = Tariff.objects.filter(pk=self.pk, used_at__isnull=False).first() if self.pk else None
        if stored is not None:
            changed = {
                field.attname
                for field in self._meta.concrete_fields
                if getattr(stored, field.attname) != getattr(self, field.attname)
            }
            if changed - self._CHANGEABLE_WHEN_USED:
                raise TariffInUseError(f"tariff {self.pk} has been used for billing; changed {sorted(changed)}")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Das Ende liegt vor dem Beginn.")})
        if not (self.community_id and self.valid_from):
            return
        clash = self.overlapping().first()
        if clash:
            raise ValidationError(
                {
                    "valid_from": _(
                        "Der Tarif überschneidet sich mit Version %(version)s (gültig ab %(start)s). "
                        "Beenden Sie zuerst die bisherige Version."
                    )
                    % {"version": clash.version, "start": date_format(clash.valid_from, "SHORT_DATE_FORMAT")}
                }
            )

    def overlapping(self) -> models.QuerySet["Tariff"]:
        others = Tariff.objects.filter(community_id=self.community_id).exclude(pk=self.pk)
        if self.valid_to:
            others = others.filter(valid_from__lte=self.valid_to)
        return others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from))

    @property
    def is_used(self) -> bool:
        return self.used_at is not None


class TariffPart(models.Model):
    """A part of a tariff: frozen together with its tariff once that is used."""

    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, verbose_name=_("Tarif"))

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if Tariff.objects.filter(pk=self.tariff_id, used_at__isnull=False).exists():
            raise TariffInUseError(f"tariff {self.tariff_id} has been used for billing and cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Tariff.objects.filter(pk=self.tariff_id, used_at__isnull=False).exists():
            raise TariffInUseError(f"tariff {self.tariff_id} has been used for billing and cannot be changed")
        return super().delete(*args, **kwargs)


class TariffWindow(TariffPart):
    """Time-of-use prices (e.g. HT) for local quarter-hours starting within [start, end) on the weekdays."""

    label = models.CharField(_("Bezeichnung"), max_length=40)
    weekdays = models.CharField(_("Wochentage"), max_length=7, default="12345", validators=[weekdays_validator])
    start_time = models.TimeField(_("von"))
    end_time = models.TimeField(_("bis (exklusiv)"))
    consumer_price_rp_kwh = models.DecimalField(
        _("Bezugspreis (Rp./kWh)"), max_digits=8, decimal_places=4, validators=[non_negative]
    )
    producer_price_rp_kwh = models.DecimalField(
        _("Vergütung (Rp./kWh)"), max_digits=8, decimal_places=4, validators=[non_negative]
    )

    class Meta:
        verbose_name = _("Tarifzeitfenster")
        verbose_name_plural = _("Tarifzeitfenster")
        default_related_name = "windows"
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="tariff_window_end_after_start"),
            models.CheckConstraint(
                condition=Q(consumer_price_rp_kwh__gte=0, producer_price_rp_kwh__gte=0),
                name="tariff_window_prices_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.weekdays_in_words} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    @property
    def weekdays_in_words(self) -> str:
        return weekdays_in_words(self.weekdays)


class FeeBasis(models.TextChoices):
    PER_MONTH = "month", _("pro Monat")
    PER_INVOICE = "invoice", _("pro Rechnung")


class TariffFee(TariffPart):
    """A fee agreed in the community (administration, billing, VNB metering of the LEG point)."""

    label = models.CharField(_("Bezeichnung"), max_length=80)
    amount_chf = models.DecimalField(_("Betrag (CHF)"), max_digits=10, decimal_places=2, validators=[non_negative])
    basis = models.CharField(_("Basis"), max_length=16, choices=FeeBasis.choices, default=FeeBasis.PER_MONTH)

    class Meta:
        verbose_name = _("Gebühr")
        verbose_name_plural = _("Gebühren")
        default_related_name = "fees"
        constraints = [
            models.CheckConstraint(condition=Q(amount_chf__gte=0), name="tariff_fee_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.label} CHF {self.amount_chf}"
