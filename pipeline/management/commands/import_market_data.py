"""python manage.py import_market_data FILE [--source TEXT] [--demo] [--dry-run] [--json]"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pipeline.market_import import ImportSummary, MarketImportError, market_data_import
from pipeline.stages import Door


class Command(BaseCommand):
    help = "Import utilities (VNB) and the municipalities they serve from a market data CSV (pipeline/MARKET_DATA.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--source", default="", help="where the figures come from (default: the file name)")
        parser.add_argument("--demo", action="store_true", help="mark the imported utilities as demo data")
        parser.add_argument("--dry-run", action="store_true", help="check and count, store nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON document")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
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
        raise CommandError(f"rejected, nothing stored: {len(error.errors)} error(s)", returncode=1)

    def _report(self, path: Path, summary: ImportSummary) -> None:
        data = summary.as_dict()
        heading = f"{path.name}: {data['rows']} rows from «{data['source']}»"
        self.stdout.write(self.style.SUCCESS(heading + (" (dry run, nothing stored)" if summary.dry_run else "")))
        for entity in ("utilities", "municipalities"):
            self.stdout.write(
                f"  {entity}: {data[f'{entity}_created']} new, {data[f'{entity}_updated']} updated, "
                f"{data[f'{entity}_unchanged']} unchanged"
            )
        self.stdout.write(f"  links added: {data['links_added']}; utilities rescored: {data['rescored']}")
