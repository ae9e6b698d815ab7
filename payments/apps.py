from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """The bank side of the month: payments in (camt.053/.054), payouts (pain.001), reminders."""

    name = "payments"
    verbose_name = _("Zahlungen")
    default_auto_field = "django.db.models.BigAutoField"
