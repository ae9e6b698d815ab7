"""The shape every file-import command shares: FILE..., --dry-run, --json, a report per file, exit 1 when one
file is refused. A command says how one file is imported, how its outcome reads, and what a refusal means."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class FileImportCommand(BaseCommand):
    dry_run_help = "check and report, write nothing"
    refused_text = "refused, nothing written"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--dry-run", action="store_true", help=self.dry_run_help)
        parser.add_argument("--json", action="store_true", help="print one JSON document")

    def import_file(self, *, data: bytes, filename: str, options: dict):
        """The outcome of one file: it has ``filename``, ``ok`` and ``as_dict()``."""
        raise NotImplementedError

    def refuse_unread(self, *, size: int, filename: str):
        """The outcome of a file refused by its size alone, before it is read; None to read it."""
        return None

    def report(self, outcome) -> None:
        raise NotImplementedError

    def handle(self, *args, **options):
        outcomes = []
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            refused = self.refuse_unread(size=path.stat().st_size, filename=path.name)
            outcomes.append(refused or self.import_file(data=path.read_bytes(), filename=path.name, options=options))
        if options["json"]:
            self.stdout.write(
                json.dumps({"files": [outcome.as_dict() for outcome in outcomes]}, ensure_ascii=False, indent=2)
            )
        else:
            for outcome in outcomes:
                self.report(outcome)
        refused = [outcome.filename for outcome in outcomes if not outcome.ok]
        if refused:
            raise CommandError(f"{self.refused_text}: {', '.join(refused)}", returncode=1)
