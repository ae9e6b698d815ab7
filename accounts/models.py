from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PortalRole(models.TextChoices):
    """A utility user's role in the portal; what each may do is ``accounts.portal_roles``."""

    VIEWER = "viewer", _("Nur lesen")
    DESK = "desk", _("LEG-Desk")
    APPROVER = "approver", _("Abrechnung freigeben")


class User(AbstractUser):
    """Staff (``is_staff``) work in the admin; a utility user belongs to exactly one utility.

    The database refuses a user that is both or neither, so scoping can rely on it.
    """

    utility = models.ForeignKey(
        "pipeline.Utility",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("Netzbetreiber"),
    )
    portal_role = models.CharField(
        _("Rolle im Portal"),
        max_length=16,
        choices=PortalRole.choices,
        default=PortalRole.VIEWER,
        help_text=_(
            "Nur lesen: ansehen und herunterladen. LEG-Desk: zusätzlich Gründung, Teilnehmende, Messpunkte, "
            "Messdaten und Abrechnungsentwürfe. Abrechnung freigeben: zusätzlich Abrechnungen freigeben und "
            "stornieren. Gilt nur für Benutzer eines Netzbetreibers."
        ),
    )

    class Meta:
        verbose_name = _("Benutzer")
        verbose_name_plural = _("Benutzer")
        constraints = [
            models.CheckConstraint(
                condition=(Q(is_staff=True, utility__isnull=True) | Q(is_staff=False, utility__isnull=False)),
                name="user_is_staff_xor_utility",
                violation_error_message=_(
                    "Ein Benutzer ist entweder Mitarbeitender von OpenLEG oder gehört zu genau einem Netzbetreiber."
                ),
            )
        ]

    @property
    def is_utility_user(self) -> bool:
        return self.utility_id is not None
