from django.db import models
from django.utils.translation import gettext_lazy as _


class SubscriptionStatus(models.TextChoices):
    """Stripe's subscription statuses, as Stripe spells them."""

    TRIALING = "trialing", _("Testphase")
    ACTIVE = "active", _("aktiv")
    PAST_DUE = "past_due", _("Zahlung überfällig")
    UNPAID = "unpaid", _("unbezahlt")
    CANCELED = "canceled", _("gekündigt")
    INCOMPLETE = "incomplete", _("unvollständig")
    INCOMPLETE_EXPIRED = "incomplete_expired", _("unvollständig, abgelaufen")
    PAUSED = "paused", _("pausiert")


class UtilitySubscription(models.Model):
    """What OpenLEG knows of a utility's Stripe subscription: the state its webhooks left, and what it grants."""

    utility = models.OneToOneField(
        "pipeline.Utility", on_delete=models.CASCADE, related_name="subscription", verbose_name=_("Netzbetreiber")
    )
    stripe_subscription_id = models.CharField(_("Stripe-Abonnement"), max_length=255, blank=True)
    plan_key = models.CharField(_("Plan"), max_length=40, blank=True)
    status = models.CharField(_("Status"), max_length=40, choices=SubscriptionStatus.choices, blank=True)
    current_period_end = models.DateTimeField(_("Periode endet"), null=True, blank=True)
    trial_end = models.DateTimeField(_("Testphase endet"), null=True, blank=True)
    past_due_since = models.DateTimeField(_("überfällig seit"), null=True, blank=True)
    has_paid = models.BooleanField(_("hat bezahlt"), default=False)
    api_tier = models.CharField(_("API-Stufe"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("aktualisiert"), auto_now=True)

    class Meta:
        verbose_name = _("Abonnement eines Netzbetreibers")
        verbose_name_plural = _("Abonnemente der Netzbetreiber")

    def __str__(self):
        return f"{self.utility} · {self.plan_key or '-'} · {self.status or '-'}"
