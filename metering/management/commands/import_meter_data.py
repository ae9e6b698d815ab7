"""python manage.py import_meter_data FILE... [--metering-point ID] [--dry-run] [--json]"""

from communities.models import Door
from metering.services import ImportOutcome, meter_file_import, meter_file_refused_by_size
from openleg.management.file_import import FileImportCommand


class Command(FileImportCommand):
    help = "Detect, parse, validate and store meter data files (SDAT-CH E66/E31, utility CSV exports)."
    dry_run_help = "check and report, store nothing"
    refused_text = "rejected, nothing stored"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--metering-point", default="", help="metering point id for formats that carry none")

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
