"""python manage.py agent_token create NAME --scope S [--scope S …] [--utility ID] [--expires YYYY-MM-DD]
[--daily-budget N] | revoke PREFIX | list"""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.management.actions import ActionCommand, utility_option
from api.models import AgentToken
from api.scopes import Scope
from api.tokens import agent_token_create, agent_token_revoke, expiry_after


class Command(ActionCommand):
    help = gettext_lazy("Agent-Tokens erstellen (das Geheimnis wird einmal ausgegeben), widerrufen und auflisten.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="create|revoke|list")
        create = actions.add_parser("create", help=_("ein Token erstellen"))
        create.add_argument("name", metavar=_("NAME"))
        create.add_argument(
            "--scope", action="append", required=True, choices=Scope.values, dest="scopes", metavar=_("BERECHTIGUNG"),
            help=_("mehrfach möglich: %(scopes)s") % {"scopes": ", ".join(Scope.values)},
        )
        create.add_argument("--utility", type=int, metavar="ID", help=_("Netzbetreiber (ohne: Staff-Token)"))
        create.add_argument(
            "--expires", type=date.fromisoformat, metavar="JJJJ-MM-TT",
            help=_("gültig bis und mit diesem Tag (Zürcher Zeit)"),
        )
        create.add_argument("--daily-budget", type=int, metavar="N", help=_("Aufrufe pro Tag"))
        revoke = actions.add_parser("revoke", help=_("ein Token widerrufen"))
        revoke.add_argument("prefix", metavar=_("PRÄFIX"))
        actions.add_parser("list", help=_("alle Tokens auflisten"))

    def _create(self, options) -> None:
        utility = utility_option(options["utility"])
        new = agent_token_create(
            name=options["name"], scopes=options["scopes"], utility=utility,
            expires_at=expiry_after(options["expires"]) if options["expires"] else None,
            daily_budget=options["daily_budget"],
        )
        self.stderr.write(
            _("Token «%(name)s» (%(prefix)s…) erstellt. Das Geheimnis wird nur jetzt ausgegeben:")
            % {"name": new.token.name, "prefix": new.token.prefix}
        )
        self.stdout.write(new.secret)

    def _revoke(self, options) -> None:
        token = agent_token_revoke(prefix=options["prefix"])
        self.stdout.write(
            _("Token «%(name)s» (%(prefix)s…) ist widerrufen.") % {"name": token.name, "prefix": token.prefix}
        )

    def _list(self, options) -> None:
        now = timezone.now()
        tokens = list(AgentToken.objects.select_related("utility").order_by("name", "prefix"))
        for token in tokens:
            columns = [
                token.prefix,
                token.name,
                ",".join(token.scopes),
                token.utility.name if token.utility else _("Staff"),
                token.expires_at.isoformat() if token.expires_at else "–",
                token.last_used_at.isoformat() if token.last_used_at else "–",
                _state(token, now),
            ]
            self.stdout.write("\t".join(columns))
        if not tokens:
            self.stdout.write(_("Keine Tokens."))


def _state(token: AgentToken, now) -> str:
    if token.revoked_at is not None:
        return _("widerrufen")
    return _("aktiv") if token.usable_at(now) else _("abgelaufen")
