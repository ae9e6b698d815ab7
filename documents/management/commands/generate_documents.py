"""python manage.py generate_documents COMMUNITY [--kind agreement|contract|registration|invoices] [--out DIR]"""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.models import InvoicePdf
from communities.models import Door
from communities.selectors import community_by_reference
from documents.invoice_pdfs import invoice_pdfs_render_missing, require_invoices_of_community
from documents.models import RunPdfRendering
from documents.services import KIND_GROUPS, documents_generate
from openleg.errors import DomainError
from openleg.management.base import GermanCommand

KINDS = ("agreement", "contract", "registration", "invoices")


class Command(GermanCommand):
    help = gettext_lazy(
        "Erstellt und erfasst die Dokumente einer LEG (ohne --kind alle Gründungsdokumente) und gibt den Pfad "
        "jedes PDFs aus, eines pro Zeile. Unveränderte Dokumente behalten ihre Version. --kind invoices erstellt "
        "die PDFs, die ausgestellten Rechnungen, Gutschriften und Korrekturgutschriften noch fehlen, und gibt alle "
        "Rechnungs-PDFs aus."
    )

    def add_arguments(self, parser):
        parser.add_argument("community", metavar=_("LEG"), help=_("Nummer oder Kurzbezeichnung der LEG"))
        parser.add_argument(
            "--kind", choices=KINDS, action="append", help=_("nur diese Art (mehrfach möglich): %(choices)s")
        )
        parser.add_argument(
            "--out", type=Path, metavar=_("VERZEICHNIS"), help=_("die PDFs auch in dieses Verzeichnis schreiben")
        )

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
