"""What the API's key commands (``agent_token``, ``api_client``) share: sub-actions, refusals and the utility option."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from openleg.errors import DomainError
from openleg.management.base import GermanCommand
from pipeline.models import Utility


class ActionCommand(GermanCommand):
    """A command of sub-actions (create, revoke, list): ``_<action>(options)`` runs; a refusal of the services
    (a ``DomainError``) ends it as a German ``CommandError``."""

    def handle(self, *args, **options):
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as refused:
            raise CommandError(refused.message) from None


def utility_option(utility_id: int | None) -> Utility | None:
    """The utility ``--utility ID`` names, None without the option; an unknown id ends the command."""
    if utility_id is None:
        return None
    utility = Utility.objects.filter(pk=utility_id).first()
    if utility is None:
        raise CommandError(_("Netzbetreiber %(id)s gibt es nicht.") % {"id": utility_id})
    return utility
