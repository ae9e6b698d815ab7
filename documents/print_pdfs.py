"""One PDF to print: the invoices of a run that cannot be sent by e-mail, merged in number order."""

import io

from pypdf import PdfWriter

from billing.models import BillingRun
from documents.models import Dispatch, DispatchStatus


def not_sendable_dispatches(*, run: BillingRun):
    return (
        Dispatch.objects.filter(invoice__run=run, status=DispatchStatus.NOT_SENDABLE, resent_by__isnull=True)
        .select_related("invoice__pdf", "invoice__participant")
        .order_by("invoice__number")
    )


def not_sendable_pdf(*, run: BillingRun) -> bytes:
    """Every not sendable invoice's PDF, one after the other; empty bytes when there is none."""
    writer = PdfWriter()
    for dispatch in not_sendable_dispatches(run=run):
        with dispatch.invoice.pdf.file.open("rb") as stored:
            writer.append(io.BytesIO(stored.read()))
    if not writer.pages:
        return b""
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
