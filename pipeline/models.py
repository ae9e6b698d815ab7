from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openleg.addresses import StructuredAddress
from pipeline.cantons import Canton

vnb_number_validator = RegexValidator(
    r"^\d{6}$", _("Die VNB-Nummer hat sechs Ziffern, wie in den Messpunkt-IDs nach «CH».")
)
eic_validator = RegexValidator(
    r"^\d{2}[XYZTWV][0-9A-Z-]{12}[0-9A-Z]$", _("Ein EIC-Code hat 16 Zeichen, z. B. 12X-0000001216-O.")
)


class Municipality(models.Model):
    """A Swiss municipality, keyed by its BFS number (Gemeindenummer des Bundesamts für Statistik)."""

    bfs_number = models.PositiveIntegerField(_("BFS-Nummer"), unique=True)
    name = models.CharField(_("Name"), max_length=100)
    canton = models.CharField(_("Kanton"), max_length=2, choices=Canton.choices)

    class Meta:
        verbose_name = _("Gemeinde")
        verbose_name_plural = _("Gemeinden")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(bfs_number__gte=1, bfs_number__lte=9999), name="municipality_bfs_range")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.canton}, {self.bfs_number})"


class Utility(StructuredAddress):
    """A distribution utility (VNB): the same record while a prospect and once a customer."""

    name = models.CharField(_("Name"), max_length=200)
    short_name = models.CharField(_("Kurzname"), max_length=40, unique=True)
    canton = models.CharField(_("Kanton"), max_length=2, choices=Canton.choices)
    municipalities = models.ManyToManyField(
        Municipality, related_name="utilities", blank=True, verbose_name=_("versorgte Gemeinden")
    )
    vnb_number = models.CharField(
        _("VNB-Nummer"),
        max_length=6,
        unique=True,
        null=True,
        blank=True,
        validators=[vnb_number_validator],
        help_text=_("Die sechs Ziffern nach «CH» in den Messpunkt-IDs dieses Netzbetreibers."),
    )
    eic = models.CharField(_("EIC-Code"), max_length=16, blank=True, validators=[eic_validator])
    contact_name = models.CharField(_("Kontaktperson"), max_length=120, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    website = models.URLField(_("Website"), blank=True)
    grid_usage_rp_kwh = models.DecimalField(
        _("Netznutzungstarif Arbeitspreis (Rp./kWh)"),
        max_digits=8,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Die Komponente, auf die der LEG-Abschlag gewährt wird; für die geschätzte Einsparung."),
    )
    is_demo = models.BooleanField(_("Demodaten"), default=False)
    created_at = models.DateTimeField(_("erfasst am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Netzbetreiber")
        verbose_name_plural = _("Netzbetreiber")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(vnb_number__regex=r"^[0-9]{6}$") | Q(vnb_number__isnull=True),
                name="utility_vnb_number_six_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name
