"""python manage.py import_meter_data FILE... [--metering-point ID] [--dry-run] [--json]"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from communities.models import Door
from metering.services import ImportOutcome, meter_file_import


class Command(BaseCommand):
    help = "Detect, parse, validate and store meter data files (SDAT-CH E66/E31, utility CSV exports)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--metering-point", default="", help="metering point id for formats that carry none")
        parser.add_argument("--dry-run", action="store_true", help="check and report, store nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON document")

    def handle(self, *args, **options):
        outcomes = []
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            outcomes.append(
                meter_file_import(
                    data=path.read_bytes(),
                    filename=path.name,
                    actor=None,
                    door=Door.COMMAND,
                    metering_point=options["metering_point"],
                    dry_run=options["dry_run"],
                )
            )
        if options["json"]:
            self.stdout.write(
                json.dumps({"files": [outcome.as_dict() for outcome in outcomes]}, ensure_ascii=False, indent=2)
            )
        else:
            for outcome in outcomes:
                self._report(outcome)
        rejected = [outcome.filename for outcome in outcomes if not outcome.ok]
        if rejected:
            raise CommandError(f"rejected, nothing stored: {', '.join(rejected)}", returncode=1)

    def _report(self, outcome: ImportOutcome) -> None:
        data = outcome.as_dict()
        style = self.style.SUCCESS if outcome.ok else self.style.ERROR
        self.stdout.write(style(f"{data['file']}: {data['status']} ({data['format'] or 'unknown format'})"))
        for series in data["series"]:
            self.stdout.write(
                f"  {series['metering_point'] or '-'} {series['direction']}/{series['channel']} "
                f"{series['start']} – {series['end']}: {series['intervals']} values, {series['kwh']} kWh "
                f"(new {series['slots_new']}, changed {series['slots_changed']}, same {series['slots_unchanged']}, "
                f"superseded {series['slots_superseded']})"
            )
        for finding in outcome.errors:
            self.stdout.write(self.style.ERROR(f"  error {finding.location}: {finding.message}"))
        for finding in outcome.warnings:
            self.stdout.write(self.style.WARNING(f"  note {finding.location}: {finding.message}"))
