"""python manage.py export_payouts COMMUNITY --out FILE [--execution-date YYYY-MM-DD]"""

from datetime import date
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from communities.models import Door
from communities.selectors import community_by_reference
from openleg.errors import DomainError
from openleg.formats import format_chf
from openleg.management.base import GermanCommand
from payments.payouts import default_execution_date, payout_batch_create


class Command(GermanCommand):
    help = gettext_lazy(
        "Zahlt die Guthaben der Teilnehmenden einer LEG aus: ein Zahlungsauftrag (pain.001) für alle fälligen Guthaben."
    )

    def add_arguments(self, parser):
        parser.add_argument("community", metavar=_("LEG"), help=_("Nummer oder Kurzbezeichnung der LEG"))
        parser.add_argument("--out", required=True, metavar=_("DATEI"), help=_("wohin die pain.001-Datei kommt"))
        parser.add_argument(
            "--execution-date",
            metavar=_("JJJJ-MM-TT"),
            help=_("gewünschtes Ausführungsdatum (ohne Angabe: der nächste Werktag)"),
        )

    def handle(self, *args, community, out, execution_date=None, **options):
        try:
            day = date.fromisoformat(execution_date) if execution_date else default_execution_date()
        except ValueError as error:
            raise CommandError(
                _("--execution-date: «%(value)s» ist kein Datum der Form JJJJ-MM-TT.") % {"value": execution_date}
            ) from error
        target = Path(out)
        if not target.parent.is_dir():
            raise CommandError(_("--out: das Verzeichnis %(folder)s gibt es nicht.") % {"folder": target.parent})
        try:
            found = community_by_reference(community)
            batch = payout_batch_create(community=found, execution_date=day, actor=None, door=Door.COMMAND)
        except DomainError as error:
            raise CommandError(error.message) from error
        with batch.file.open("rb") as stored:
            target.write_bytes(stored.read())
        self.stdout.write(
            ngettext(
                "%(count)s Überweisung, total CHF %(total)s, Datei %(file)s",
                "%(count)s Überweisungen, total CHF %(total)s, Datei %(file)s",
                batch.payout_count,
            )
            % {"count": batch.payout_count, "total": format_chf(batch.total_chf), "file": target}
        )
