"""One PDF to print: the items of a list (a run's invoices, a reminder list's reminders) that cannot be sent by
e-mail, merged in number order."""

import io

from pypdf import PdfWriter

from billing.models import BillingRun
from documents.models import DispatchStatus
from documents.outbox_kinds import kind_of_run
from payments.models import ReminderRun


def not_sendable_dispatches(*, run: BillingRun | ReminderRun):
    spec = kind_of_run(run)
    return (
        spec.dispatches(run)
        .filter(status=DispatchStatus.NOT_SENDABLE, resent_by__isnull=True)
        .select_related(*spec.related, spec.participant_lookup)
        .order_by(spec.number)
    )


def not_sendable_pdf(*, run: BillingRun | ReminderRun) -> bytes:
    """Every not sendable item's PDF, one after the other; empty bytes when there is none."""
    spec = kind_of_run(run)
    writer = PdfWriter()
    for dispatch in not_sendable_dispatches(run=run):
        with spec.pdf(dispatch.item).open("rb") as stored:
            writer.append(io.BytesIO(stored.read()))
    if not writer.pages:
        return b""
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
