from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
