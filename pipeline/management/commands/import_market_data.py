"""python manage.py import_market_data FILE [--source TEXT] [--demo] [--dry-run] [--json]"""

import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from openleg.management.base import GermanCommand
from pipeline.market_import import ImportSummary, MarketImportError, market_data_import
from pipeline.stages import Door


class Command(GermanCommand):
    help = gettext_lazy(
        "Importiert Netzbetreiber (VNB) und die Gemeinden, die sie versorgen, aus einer Marktdaten-CSV "
        "(pipeline/MARKET_DATA.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar=_("DATEI"))
        parser.add_argument(
            "--source", default="", metavar=_("TEXT"), help=_("woher die Zahlen stammen (ohne Angabe: der Dateiname)")
        )
        parser.add_argument(
            "--demo", action="store_true", help=_("die importierten Netzbetreiber als Demodaten markieren")
        )
        parser.add_argument("--dry-run", action="store_true", help=_("prüfen und zählen, nichts speichern"))
        parser.add_argument("--json", action="store_true", help=_("ein JSON-Dokument ausgeben"))

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("%(file)s: diese Datei gibt es nicht.") % {"file": path})
        try:
            summary = market_data_import(
                file=path.read_bytes(),
                source=options["source"] or path.name,
                actor=None,
                door=Door.COMMAND,
                demo=options["demo"],
                dry_run=options["dry_run"],
            )
        except MarketImportError as error:
            self._refused(error, as_json=options["json"])
        if options["json"]:
            self.stdout.write(json.dumps({"ok": True, **summary.as_dict()}, ensure_ascii=False, indent=2))
        else:
            self._report(path, summary)

    def _refused(self, error: MarketImportError, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({"ok": False, "errors": error.errors}, ensure_ascii=False, indent=2))
        else:
            for message in error.errors:
                self.stderr.write(self.style.ERROR(f"  {message}"))
        count = len(error.errors)
        raise CommandError(
            ngettext(
                "abgelehnt, nichts gespeichert: %(count)s Fehler",
                "abgelehnt, nichts gespeichert: %(count)s Fehler",
                count,
            )
            % {"count": count},
            returncode=1,
        )

    def _report(self, path: Path, summary: ImportSummary) -> None:
        data = summary.as_dict()
        heading = ngettext(
            "%(file)s: %(rows)s Zeile aus «%(source)s»", "%(file)s: %(rows)s Zeilen aus «%(source)s»", data["rows"]
        ) % {"file": path.name, "rows": data["rows"], "source": data["source"]}
        if summary.dry_run:
            heading += " " + _("(Probelauf, nichts gespeichert)")
        self.stdout.write(self.style.SUCCESS(heading))
        for entity, label in (("utilities", _("Netzbetreiber")), ("municipalities", _("Gemeinden"))):
            self.stdout.write(
                _("  %(entity)s: %(created)s neu, %(updated)s geändert, %(unchanged)s unverändert")
                % {
                    "entity": label,
                    "created": data[f"{entity}_created"],
                    "updated": data[f"{entity}_updated"],
                    "unchanged": data[f"{entity}_unchanged"],
                }
            )
        self.stdout.write(
            _("  Verknüpfungen hinzugefügt: %(links)s; Netzbetreiber neu bewertet: %(rescored)s")
            % {"links": data["links_added"], "rescored": data["rescored"]}
        )
