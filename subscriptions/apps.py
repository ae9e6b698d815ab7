from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Abonnemente")

    def ready(self):
        from subscriptions import receivers

        receivers.connect()
