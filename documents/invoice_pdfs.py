"""The PDF of every issued invoice, credit statement and credit note (``billing.InvoicePdf``), rendered in the
background after approval or cancellation.

A run's missing PDFs are rendered in chunks of ``CHUNK_SIZE``, each chunk one Celery task and one transaction, so
progress shows while a month renders and two workers share it. Rendering is safe to run twice: an invoice that has
its PDF is skipped, and of two workers rendering the same invoice the database keeps one PDF (one-to-one).
An error is recorded on the run's ``RunPdfRendering`` for staff to see and retry; what rendered is kept.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import date

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.actors import recorded_user
from billing.models import BillingRun, Invoice, InvoicePdf
from communities.models import Community, Door
from documents.invoice_pdf import invoice_html
from documents.models import RunPdfRendering
from documents.pdf import htmls_to_pdfs
from openleg.errors import DomainError
from openleg.periods import utc_now
from openleg.storage import StorageFull

logger = logging.getLogger(__name__)

CHUNK_SIZE = 50


@dataclass(frozen=True)
class PdfProgress:
    done: int
    total: int
    error: str = ""

    @property
    def complete(self) -> bool:
        return self.done == self.total


def pdf_progress(*, run: BillingRun) -> PdfProgress:
    """How many of the run's invoices have their PDF (one query), and the error of the last attempt, if any."""
    counts = Invoice.objects.filter(run=run).aggregate(total=Count("pk"), done=Count("pk", filter=Q(pdf__isnull=False)))
    error = RunPdfRendering.objects.filter(run=run).values_list("error", flat=True).first() or ""
    return PdfProgress(done=counts["done"], total=counts["total"], error=error)


def missing_pdf_ids(*, run: BillingRun) -> list[int]:
    return list(Invoice.objects.filter(run=run, pdf__isnull=True).order_by("number").values_list("pk", flat=True))


def filename_of(invoice: Invoice) -> str:
    """``Rechnung-7-000042.pdf``, ``Gutschrift-…``, ``Storno-…``: what a person sees when saving it."""
    return f"{invoice.get_kind_display()}-{invoice.display_number}.pdf"


class NoInvoices(DomainError):
    """Asked for invoice PDFs where nothing has been issued: there is nothing to render (never a success)."""

    code = "no_invoices"


def require_invoices_of_community(community: Community):
    """The community's invoices, credit statements and credit notes; ``NoInvoices`` when it has none."""
    invoices = Invoice.objects.filter(community=community)
    if not invoices.exists():
        raise NoInvoices(
            _(
                "Die Gemeinschaft «%(community)s» hat keine Rechnungen, Gutschriften oder Stornos: "
                "es gibt keine Rechnungs-PDFs zu erstellen."
            )
            % {"community": community.name}
        )
    return invoices


def require_invoices_of_run(run: BillingRun) -> None:
    if not Invoice.objects.filter(run=run).exists():
        raise NoInvoices(
            _("Der Lauf %(period)s hat keine Rechnungen, Gutschriften oder Stornos: es gibt keine PDFs zu erstellen.")
            % {"period": date_format(date(run.year, run.month, 1), "F Y")}
        )


def invoice_pdfs_render_later(*, run: BillingRun, actor=None, door: Door | str = Door.TASK) -> None:
    """Record the request (clearing an earlier error) and render the run's missing PDFs after commit."""
    from documents.tasks import render_run_pdfs

    RunPdfRendering.objects.update_or_create(
        run=run,
        defaults={
            "requested_at": utc_now(),
            "requested_by": recorded_user(actor),
            "door": door,
            "error": "",
            "error_at": None,
        },
    )
    transaction.on_commit(lambda: render_run_pdfs.delay(run.pk))


def _record_error(run_id: int, message: str) -> None:
    now = utc_now()
    updated = RunPdfRendering.objects.filter(run_id=run_id).update(error=message[:2000], error_at=now)
    if not updated:
        RunPdfRendering.objects.get_or_create(
            run_id=run_id, defaults={"requested_at": now, "door": Door.TASK, "error": message[:2000], "error_at": now}
        )


def invoice_pdfs_render(*, invoice_ids: list[int]) -> list[InvoicePdf]:
    """Render and store the PDFs of these invoices that have none yet, in one transaction. An invoice that cannot
    be rendered is named in the run's recorded error and left for a retry; the others are stored."""
    invoices = list(
        Invoice.objects.filter(pk__in=invoice_ids, pdf__isnull=True)
        .select_related("community", "participant", "corrects")
        .prefetch_related("lines")
        .order_by("number")
    )
    if not invoices:
        return []
    ready, htmls = [], []
    for invoice in invoices:
        try:
            htmls.append(invoice_html(invoice))
        except DomainError as error:
            _record_error(invoice.run_id, _("%(invoice)s: %(error)s") % {"invoice": invoice, "error": error.message})
            continue
        ready.append(invoice)
    if not ready:
        return []
    try:
        pdfs = htmls_to_pdfs(htmls)
    except Exception as error:  # WeasyPrint's own errors have no common base class
        logger.exception("Rendering invoice PDFs %s failed", [invoice.pk for invoice in ready])
        first, last = ready[0].display_number, ready[-1].display_number
        _record_error(
            ready[0].run_id,
            _("Die PDFs %(first)s bis %(last)s konnten nicht erstellt werden: %(error)s")
            % {"first": first, "last": last, "error": error},
        )
        return []
    return _store(ready, pdfs)


def _store(invoices: list[Invoice], pdfs: list[bytes]) -> list[InvoicePdf]:
    stored: list[InvoicePdf] = []
    try:
        with transaction.atomic():
            for invoice, content in zip(invoices, pdfs, strict=True):
                record = InvoicePdf(
                    invoice=invoice, sha256=hashlib.sha256(content).hexdigest(), size_bytes=len(content)
                )
                record.file.save(filename_of(invoice), ContentFile(content), save=False)
                stored.append(record)
                record.save()
    except IntegrityError:
        # another worker stored the same PDFs meanwhile: theirs are kept, ours discarded
        _discard(stored)
        return []
    except StorageFull:
        # the chunk's records are rolled back: their files go too, and the run says why (a retry renders them)
        _discard(stored)
        first, last = invoices[0].display_number, invoices[-1].display_number
        _record_error(
            invoices[0].run_id,
            _("Speicher voll: die PDFs %(first)s bis %(last)s wurden nicht gespeichert.")
            % {"first": first, "last": last},
        )
        return []
    except BaseException:
        _discard(stored)
        raise
    return stored


def _discard(records: list[InvoicePdf]) -> None:
    """Files are not part of the transaction: remove those of records it rolled back."""
    for record in records:
        record.file.delete(save=False)


def invoice_pdfs_render_missing(*, invoices) -> list[int]:
    """Render the missing PDFs of ``invoices`` (a queryset) here and now, chunk by chunk, for doors that wait (the
    command). Returns the ids still without a PDF (their error is recorded on their run)."""
    ids = list(invoices.filter(pdf__isnull=True).order_by("number").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK_SIZE):
        invoice_pdfs_render(invoice_ids=ids[start : start + CHUNK_SIZE])
    return list(invoices.filter(pdf__isnull=True).order_by("number").values_list("pk", flat=True))
