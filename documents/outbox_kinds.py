"""What differs between the kinds of dispatch, looked up per kind so that ``documents.dispatch`` has one mechanism.

A list is what staff send at once and what the outbox page shows: a billing run (its invoices, credit statements
and credit notes) or an approved reminder list (its reminders). Each kind says which of its items are to be sent,
when the list may be sent, how far its PDFs are, which PDF and which message an item has, and which invoice an item
is about (whose participant is the recipient).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from billing.models import BillingRun, Invoice, InvoiceKind, RunStatus
from documents.invoice_mail import invoice_mail
from documents.invoice_pdfs import PdfProgress, filename_of, pdf_progress
from documents.mail import Mail
from documents.models import Dispatch, DispatchKind, DispatchStatus
from documents.reminder_mail import reminder_filename, reminder_mail
from openleg.errors import DomainError
from payments.models import ReminderRun, ReminderRunStatus


class DispatchRefused(DomainError):
    code = "dispatch_refused"


@dataclass(frozen=True)
class OutboxKind:
    kind: str
    field: str  # the dispatch's foreign key to the item
    run_lookup: str  # from a dispatch to its list
    number: str  # from a dispatch to the order of the list
    related: tuple[str, ...]  # what sending an item reads
    participant_lookup: str  # from a dispatch to the participant
    candidates: Callable[[object], QuerySet]
    check: Callable[[object], None]
    progress: Callable[[object], PdfProgress]
    invoice: Callable[[object], Invoice]
    pdf: Callable[[object], object]  # the stored file
    filename: Callable[[object], str]
    mail: Callable[..., Mail]

    def dispatches(self, run) -> QuerySet:
        return Dispatch.objects.filter(kind=self.kind, **{self.run_lookup: run})

    def run_of(self, dispatch: Dispatch):
        return dispatch.item.run


# -- invoices ----------------------------------------------------------------------------------------------------


def _invoice_candidates(run: BillingRun) -> QuerySet:
    invoices = Invoice.objects.filter(run=run).select_related("participant", "community").order_by("number")
    if run.status == RunStatus.CANCELLED:
        # the credit notes of what participants received; an invoice never sent is not cancelled by e-mail either
        sent = Dispatch.objects.filter(status=DispatchStatus.SENT).values("invoice")
        return invoices.filter(kind=InvoiceKind.CREDIT_NOTE, corrects__in=sent)
    return invoices


def _check_invoices(run: BillingRun) -> None:
    if run.status not in (RunStatus.ISSUED, RunStatus.CANCELLED) or not Invoice.objects.filter(run=run).exists():
        raise DispatchRefused(
            _("Der Lauf %(run)s hat keine ausgestellten Rechnungen (Status: %(status)s); es gibt nichts zu versenden.")
            % {"run": run, "status": run.get_status_display()}
        )
    _check_complete(_("Die PDFs des Laufs %(run)s"), run, pdf_progress(run=run))


def _check_complete(whose: str, run, progress: PdfProgress) -> None:
    if not progress.complete:
        raise DispatchRefused(
            _(
                "%(whose)s sind noch nicht vollständig (%(done)s von %(total)s erstellt); "
                "versendet wird erst, wenn alle bereit sind."
            )
            % {"whose": whose % {"run": run}, "done": progress.done, "total": progress.total}
        )


INVOICES = OutboxKind(
    kind=DispatchKind.INVOICE,
    field="invoice",
    run_lookup="invoice__run",
    number="invoice__number",
    related=("invoice__community", "invoice__pdf"),
    participant_lookup="invoice__participant",
    candidates=_invoice_candidates,
    check=_check_invoices,
    progress=lambda run: pdf_progress(run=run),
    invoice=lambda invoice: invoice,
    pdf=lambda invoice: invoice.pdf.file,
    filename=filename_of,
    mail=invoice_mail,
)


# -- reminders ---------------------------------------------------------------------------------------------------


def _reminder_candidates(run: ReminderRun) -> QuerySet:
    return run.reminders.select_related("run", "invoice__participant", "invoice__community").order_by("invoice__number")


def reminder_pdf_progress(run: ReminderRun) -> PdfProgress:
    counts = run.reminders.aggregate(total=Count("pk"), done=Count("pk", filter=~Q(pdf="")))
    return PdfProgress(done=counts["done"], total=counts["total"])


def _check_reminders(run: ReminderRun) -> None:
    if run.status != ReminderRunStatus.APPROVED:
        raise DispatchRefused(
            _("Der Mahnlauf %(run)s ist nicht freigegeben (Status: %(status)s); es gibt nichts zu versenden.")
            % {"run": run, "status": run.get_status_display()}
        )
    _check_complete(_("Die PDFs des Mahnlaufs %(run)s"), run, reminder_pdf_progress(run))


REMINDERS = OutboxKind(
    kind=DispatchKind.REMINDER,
    field="reminder",
    run_lookup="reminder__run",
    number="reminder__invoice__number",
    related=("reminder__run", "reminder__invoice__community"),
    participant_lookup="reminder__invoice__participant",
    candidates=_reminder_candidates,
    check=_check_reminders,
    progress=reminder_pdf_progress,
    invoice=lambda reminder: reminder.invoice,
    pdf=lambda reminder: reminder.pdf,
    filename=reminder_filename,
    mail=reminder_mail,
)

KINDS = {INVOICES.kind: INVOICES, REMINDERS.kind: REMINDERS}


def kind_of_run(run) -> OutboxKind:
    """The kind a list sends: a billing run its invoices, a reminder list its reminders."""
    return REMINDERS if isinstance(run, ReminderRun) else INVOICES


def kind_of(dispatch: Dispatch) -> OutboxKind:
    return KINDS[dispatch.kind]
