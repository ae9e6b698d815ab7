"""What differs between the kinds of dispatch, looked up per kind so that ``documents.dispatch`` has one mechanism.

A list is what staff send at once and what the outbox page shows: a billing run (its invoices, credit statements
and credit notes) or an approved reminder list (its reminders). Each kind says which of its items are to be sent,
when the list may be sent, how far its PDFs are, and which PDF and which message an item has. Every item is about
one invoice (``invoice_path`` from the dispatch), whose participant is the recipient.
"""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from billing.models import BillingRun, Invoice, InvoiceKind, RunStatus
from documents.invoice_mail import invoice_mail
from documents.invoice_pdfs import PdfProgress, pdf_progress
from documents.mail import Mail
from documents.models import Dispatch, DispatchKind, DispatchStatus
from documents.reminder_mail import reminder_mail
from openleg.errors import DomainError
from payments.models import Reminder, ReminderRun, ReminderRunStatus


class DispatchRefused(DomainError):
    code = "dispatch_refused"


class OutboxKind:
    kind: str
    field: str  # the dispatch's foreign key to the item
    invoice_path: str  # from a dispatch to the invoice the item is about
    related: tuple[str, ...]  # what sending an item reads

    @property
    def number(self) -> str:
        """From a dispatch to the order of its list: the invoice number."""
        return f"{self.invoice_path}__number"

    @property
    def participant_lookup(self) -> str:
        return f"{self.invoice_path}__participant"

    def dispatches(self, run) -> QuerySet:
        return Dispatch.objects.filter(kind=self.kind, **{f"{self.field}__run": run})

    def invoice(self, item) -> Invoice:
        for name in self.invoice_path.split("__")[1:]:
            item = getattr(item, name)
        return item

    def candidates(self, run) -> QuerySet:
        raise NotImplementedError

    def check(self, run) -> None:
        """Raise ``DispatchRefused`` with the reason while the list may not be sent."""
        raise NotImplementedError

    def progress(self, run) -> PdfProgress:
        raise NotImplementedError

    def pdf(self, item):
        """The stored PDF file of an item."""
        raise NotImplementedError

    def mail(self, item, *, to: str) -> Mail:
        raise NotImplementedError

    def check_complete(self, whose: str, progress: PdfProgress) -> None:
        if not progress.complete:
            raise DispatchRefused(
                _(
                    "%(whose)s sind noch nicht vollständig (%(done)s von %(total)s erstellt); "
                    "versendet wird erst, wenn alle bereit sind."
                )
                % {"whose": whose, "done": progress.done, "total": progress.total}
            )


class InvoiceOutbox(OutboxKind):
    """A billing run's invoices, credit statements and credit notes."""

    kind = DispatchKind.INVOICE
    field = invoice_path = "invoice"
    related = ("invoice__community", "invoice__pdf")

    def candidates(self, run: BillingRun) -> QuerySet:
        invoices = Invoice.objects.filter(run=run).select_related("participant", "community").order_by("number")
        if run.status == RunStatus.CANCELLED:
            # the credit notes of what participants received; an invoice never sent is not cancelled by e-mail either
            sent = Dispatch.objects.filter(status=DispatchStatus.SENT).values("invoice")
            return invoices.filter(kind=InvoiceKind.CREDIT_NOTE, corrects__in=sent)
        return invoices

    def check(self, run: BillingRun) -> None:
        if run.status not in (RunStatus.ISSUED, RunStatus.CANCELLED) or not Invoice.objects.filter(run=run).exists():
            raise DispatchRefused(
                _(
                    "Der Lauf %(run)s hat keine ausgestellten Rechnungen (Status: %(status)s); "
                    "es gibt nichts zu versenden."
                )
                % {"run": run, "status": run.get_status_display()}
            )
        self.check_complete(_("Die PDFs des Laufs %(run)s") % {"run": run}, pdf_progress(run=run))

    def progress(self, run: BillingRun) -> PdfProgress:
        return pdf_progress(run=run)

    def pdf(self, item: Invoice):
        return item.pdf.file

    def mail(self, item: Invoice, *, to: str) -> Mail:
        return invoice_mail(item, to=to)


class ReminderOutbox(OutboxKind):
    """An approved reminder list's reminders."""

    kind = DispatchKind.REMINDER
    field = "reminder"
    invoice_path = "reminder__invoice"
    related = ("reminder__run", "reminder__invoice__community")

    def candidates(self, run: ReminderRun) -> QuerySet:
        reminders = run.reminders.select_related("run", "invoice__participant", "invoice__community")
        return reminders.order_by("invoice__number")

    def check(self, run: ReminderRun) -> None:
        if run.status != ReminderRunStatus.APPROVED:
            raise DispatchRefused(
                _("Der Mahnlauf %(run)s ist nicht freigegeben (Status: %(status)s); es gibt nichts zu versenden.")
                % {"run": run, "status": run.get_status_display()}
            )
        self.check_complete(_("Die PDFs des Mahnlaufs %(run)s") % {"run": run}, self.progress(run))

    def progress(self, run: ReminderRun) -> PdfProgress:
        counts = run.reminders.aggregate(total=Count("pk"), done=Count("pk", filter=~Q(pdf="")))
        return PdfProgress(done=counts["done"], total=counts["total"])

    def pdf(self, item: Reminder):
        return item.pdf

    def mail(self, item: Reminder, *, to: str) -> Mail:
        return reminder_mail(item, to=to)


INVOICES, REMINDERS = InvoiceOutbox(), ReminderOutbox()
KINDS = {INVOICES.kind: INVOICES, REMINDERS.kind: REMINDERS}


def kind_of_run(run) -> OutboxKind:
    """The kind a list sends: a billing run its invoices, a reminder list its reminders."""
    return REMINDERS if isinstance(run, ReminderRun) else INVOICES


def kind_of(dispatch: Dispatch) -> OutboxKind:
    return KINDS[dispatch.kind]
