"""python manage.py stripe_plans sync"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openleg.errors import DomainError
from openleg.management.base import GermanCommand
from subscriptions.plan_sync import plans_sync


class Command(GermanCommand):
    help = gettext_lazy(
        "Legt die Abonnements-Pläne als Produkte und Preise in Stripe an oder passt sie an (beliebig oft "
        "ausführbar) und übernimmt sie in dj-stripe."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sync"], help=_("sync: Pläne mit Stripe abgleichen"))

    def handle(self, *args, action, **options):
        try:
            lines = plans_sync()
        except DomainError as error:
            raise CommandError(error.message) from error
        for line in lines:
            self.stdout.write(line)
