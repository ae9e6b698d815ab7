"""python manage.py generate_documents COMMUNITY [--kind agreement|contract|registration|invoices] [--out DIR]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from communities.models import Door
from communities.selectors import community_by_reference
from documents.services import KIND_GROUPS, documents_generate
from openleg.errors import DomainError

KINDS = ("agreement", "contract", "registration", "invoices")


class Command(BaseCommand):
    help = (
        "Render and record the documents of a community (all formation documents unless --kind) and print the "
        "path of each PDF, one per line. Unchanged documents keep their version."
    )

    def add_arguments(self, parser):
        parser.add_argument("community", help="id or slug of the community")
        parser.add_argument("--kind", choices=KINDS, action="append", help="only this kind (repeatable)")
        parser.add_argument("--out", type=Path, help="also write the PDFs into this directory")

    def handle(self, *args, community, kind, out, **options):
        kinds = [k for name in (kind or ["formation"]) for k in KIND_GROUPS[name]]
        try:
            documents = documents_generate(
                community=community_by_reference(community), kinds=kinds, actor=None, door=Door.COMMAND
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        if out:
            out.mkdir(parents=True, exist_ok=True)
        for document in documents:
            self.stdout.write(str(self._write(document, out) if out else Path(document.file.path)))

    def _write(self, document, out: Path) -> Path:
        target = out / document.filename
        with document.file.open("rb") as stored:
            target.write_bytes(stored.read())
        return target.resolve()
