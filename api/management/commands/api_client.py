"""python manage.py api_client create NAME --tier starter|professional|enterprise [--utility ID] [--cantons ZH,AG]
[--hourly N] [--daily N] [--key-name NAME] | revoke PREFIX | list"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.b2b.keys import api_client_create, api_key_create, api_key_revoke
from api.management.actions import ActionCommand, utility_option
from api.models import ApiClient


class Command(ActionCommand):
    help = gettext_lazy(
        "B2B-API-Kunden mit einem ersten Schlüssel erstellen (der Schlüssel wird einmal ausgegeben), Schlüssel "
        "widerrufen und Kunden mit ihren Schlüsseln auflisten."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="create|revoke|list")
        create = actions.add_parser("create", help=_("einen Kunden mit einem Schlüssel erstellen"))
        create.add_argument("name", metavar=_("FIRMA"))
        create.add_argument("--tier", required=True, metavar="starter|professional|enterprise", help=_("Stufe"))
        create.add_argument("--utility", type=int, metavar="ID", help=_("verknüpfter Netzbetreiber"))
        create.add_argument(
            "--cantons", default="", metavar="ZH,AG", help=_("erlaubte Kantone, durch Komma getrennt (ohne: alle)")
        )
        create.add_argument("--hourly", type=int, metavar="N", help=_("Aufrufe pro Stunde und Schlüssel"))
        create.add_argument("--daily", type=int, metavar="N", help=_("Aufrufe pro Tag und Schlüssel"))
        create.add_argument("--key-name", default=_("Hauptschlüssel"), metavar=_("NAME"), help=_("Name des Schlüssels"))
        revoke = actions.add_parser("revoke", help=_("einen Schlüssel widerrufen"))
        revoke.add_argument("prefix", metavar=_("PRÄFIX"))
        actions.add_parser("list", help=_("alle Kunden und Schlüssel auflisten"))

    def _create(self, options) -> None:
        utility = utility_option(options["utility"])
        cantons = [code.strip().upper() for code in options["cantons"].split(",") if code.strip()]
        client = api_client_create(
            company=options["name"], tier=options["tier"], utility=utility, allowed_cantons=cantons,
            hourly_limit=options["hourly"], daily_limit=options["daily"],
        )
        new = api_key_create(client=client, name=options["key_name"])
        self.stderr.write(
            _("API-Kunde «%(company)s» (%(tier)s) mit Schlüssel %(prefix)s… erstellt. Der Schlüssel wird nur jetzt "
              "ausgegeben:")
            % {"company": client.company, "tier": client.tier, "prefix": new.key.prefix}
        )
        self.stdout.write(new.secret)

    def _revoke(self, options) -> None:
        key = api_key_revoke(prefix=options["prefix"])
        self.stdout.write(
            _("Schlüssel «%(name)s» (%(prefix)s…) von «%(company)s» ist widerrufen.")
            % {"name": key.name, "prefix": key.prefix, "company": key.client.company}
        )

    def _list(self, options) -> None:
        clients = list(ApiClient.objects.select_related("utility").prefetch_related("keys").order_by("company", "pk"))
        for client in clients:
            self.stdout.write(
                "\t".join([
                    client.company, client.tier, ",".join(client.allowed_cantons) or _("alle Kantone"),
                    f"{client.hourly_limit}/h", f"{client.daily_limit}/d",
                    client.utility.name if client.utility else "–",
                    _("aktiv") if client.active else _("inaktiv"),
                ])
            )
            for key in client.keys.all():
                self.stdout.write(
                    "\t".join([
                        "", key.prefix, key.name, key.last_used_at.isoformat() if key.last_used_at else "–",
                        _("widerrufen") if key.revoked_at else _("aktiv"),
                    ])
                )
        if not clients:
            self.stdout.write(_("Keine API-Kunden."))
