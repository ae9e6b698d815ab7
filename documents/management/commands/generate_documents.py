"""python manage.py generate_documents COMMUNITY [--kind agreement|contract|registration|invoices] [--out DIR]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from billing.models import InvoicePdf
from communities.models import Door
from communities.selectors import community_by_reference
from documents.invoice_pdfs import invoice_pdfs_render_missing, require_invoices_of_community
from documents.models import RunPdfRendering
from documents.services import KIND_GROUPS, documents_generate
from openleg.errors import DomainError

KINDS = ("agreement", "contract", "registration", "invoices")


class Command(BaseCommand):
    help = (
        "Render and record the documents of a community (all formation documents unless --kind) and print the "
        "path of each PDF, one per line. Unchanged documents keep their version. --kind invoices renders the PDFs "
        "that issued invoices, credit statements and credit notes still lack and prints every invoice PDF."
    )

    def add_arguments(self, parser):
        parser.add_argument("community", help="id or slug of the community")
        parser.add_argument("--kind", choices=KINDS, action="append", help="only this kind (repeatable)")
        parser.add_argument("--out", type=Path, help="also write the PDFs into this directory")

    def handle(self, *args, community, kind, out, **options):
        names = kind or ["formation"]
        kinds = [k for name in names if name != "invoices" for k in KIND_GROUPS[name]]
        files = []
        try:
            community = community_by_reference(community)
            if kinds:
                documents = documents_generate(community=community, kinds=kinds, actor=None, door=Door.COMMAND)
                files += [(document.filename, document.file) for document in documents]
            if "invoices" in names:
                files += self._invoice_pdfs(community)
        except DomainError as error:
            # what was rendered is still printed; then the sentence why not everything was
            self._print(files, out)
            raise CommandError(error.message) from error
        self._print(files, out)

    def _print(self, files: list, out: Path | None) -> None:
        if out:
            out.mkdir(parents=True, exist_ok=True)
        for filename, file in files:
            self.stdout.write(str(self._write(filename, file, out) if out else Path(file.path)))

    def _invoice_pdfs(self, community) -> list:
        invoices = require_invoices_of_community(community)
        missing = invoice_pdfs_render_missing(invoices=invoices)
        if missing:
            errors = RunPdfRendering.objects.filter(run__invoices__in=missing).exclude(error="").distinct()
            raise CommandError(
                _("%(count)s Rechnungs-PDFs konnten nicht erstellt werden: %(errors)s")
                % {"count": len(missing), "errors": " ".join(errors.values_list("error", flat=True))}
            )
        pdfs = InvoicePdf.objects.filter(invoice__community=community).order_by("invoice__number")
        return [(Path(pdf.file.name).name, pdf.file) for pdf in pdfs]

    def _write(self, filename: str, file, out: Path) -> Path:
        target = out / filename
        with file.open("rb") as stored:
            target.write_bytes(stored.read())
        return target.resolve()
