"""python manage.py import_meter_data FILE... [--metering-point ID] [--dry-run] [--json]"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Door
from metering.models import Channel, Direction, MeterImport
from metering.services import ImportOutcome, meter_file_import, meter_file_refused_by_size
from openleg.formats import format_kwh_value, format_moment, swiss_number
from openleg.management.file_import import FileImportCommand


class Command(FileImportCommand):
    help = gettext_lazy(
        "Erkennt das Format von Messdaten-Dateien (SDAT-CH E66/E31, CSV-Exporte der Netzbetreiber), liest, prüft "
        "und speichert sie."
    )
    dry_run_help = gettext_lazy("prüfen und berichten, nichts speichern")
    refused_text = gettext_lazy("abgelehnt, nichts gespeichert")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--metering-point", default="", metavar="ID", help=_("Messpunkt für Formate, die keinen angeben")
        )

    def refuse_unread(self, *, size: int, filename: str) -> ImportOutcome | None:
        return meter_file_refused_by_size(size=size, filename=filename)

    def import_file(self, *, data: bytes, filename: str, options: dict) -> ImportOutcome:
        return meter_file_import(
            data=data,
            filename=filename,
            actor=None,
            door=Door.COMMAND,
            metering_point=options["metering_point"],
            dry_run=options["dry_run"],
        )

    def report(self, outcome: ImportOutcome) -> None:
        data = outcome.as_dict()
        style = self.style.SUCCESS if outcome.ok else self.style.ERROR
        status = (
            _("Probelauf, nichts gespeichert")
            if data["status"] == "dry-run"
            else MeterImport.Status(data["status"]).label
        )
        self.stdout.write(style(f"{data['file']}: {status} ({data['format'] or _('Format nicht erkannt')})"))
        for series in data["series"]:
            self.stdout.write(
                _(
                    "  %(point)s %(direction)s/%(channel)s %(start)s – %(end)s: %(intervals)s Werte, %(kwh)s kWh "
                    "(neu %(new)s, geändert %(changed)s, gleich %(same)s, überholt %(superseded)s)"
                )
                % {
                    "point": series["metering_point"] or "-",
                    "direction": Direction(series["direction"]).label,
                    "channel": Channel(series["channel"]).label,
                    "start": format_moment(series["start"]),
                    "end": format_moment(series["end"]),
                    "intervals": swiss_number(series["intervals"], 0),
                    "kwh": format_kwh_value(Decimal(series["kwh"])),
                    "new": series["slots_new"],
                    "changed": series["slots_changed"],
                    "same": series["slots_unchanged"],
                    "superseded": series["slots_superseded"],
                }
            )
        for finding in outcome.errors:
            self.stdout.write(self.style.ERROR(_("  Fehler %(where)s: %(message)s") % self._finding(finding)))
        for finding in outcome.warnings:
            self.stdout.write(self.style.WARNING(_("  Hinweis %(where)s: %(message)s") % self._finding(finding)))

    @staticmethod
    def _finding(finding) -> dict:
        return {"where": finding.place, "message": finding.message}
