"""The shape every file-import command shares: FILE..., --dry-run, --json, a report per file, exit 1 when one
file is refused. A command says how one file is imported, how its outcome reads, and what a refusal means."""

import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openleg.management.base import GermanCommand


class FileImportCommand(GermanCommand):
    dry_run_help = gettext_lazy("prüfen und berichten, nichts schreiben")
    refused_text = gettext_lazy("abgelehnt, nichts geschrieben")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar=_("DATEI"))
        parser.add_argument("--dry-run", action="store_true", help=self.dry_run_help)
        parser.add_argument("--json", action="store_true", help=_("ein JSON-Dokument ausgeben"))

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
                raise CommandError(_("%(file)s: diese Datei gibt es nicht.") % {"file": name})
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
