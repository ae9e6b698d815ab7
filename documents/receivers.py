"""What documents does when billing issues invoices or credit notes (``billing.signals``): render their PDFs
after the transaction commits, in the background; and when a reminder list is approved (``payments.signals``):
render its PDFs and send the reminders, in the background after commit."""

from django.dispatch import receiver

from billing.signals import credit_notes_issued, invoices_issued
from communities.models import Door
from documents.dispatch import reminders_send_later
from documents.invoice_pdfs import invoice_pdfs_render_later
from payments.signals import reminders_approved


@receiver(invoices_issued, dispatch_uid="documents.render_issued_invoices")
def render_issued_invoices(sender, *, run, actor=None, door=Door.TASK, **kwargs) -> None:
    # recorded as asked for by whoever issued the run, through the door they used
    invoice_pdfs_render_later(run=run, actor=actor, door=door)


@receiver(credit_notes_issued, dispatch_uid="documents.render_credit_notes")
def render_credit_notes(sender, *, run, actor=None, door=Door.TASK, **kwargs) -> None:
    invoice_pdfs_render_later(run=run, actor=actor, door=door)


@receiver(reminders_approved, dispatch_uid="documents.send_approved_reminders")
def send_approved_reminders(sender, *, reminder_run, door=Door.TASK, **kwargs) -> None:
    reminders_send_later(reminder_run=reminder_run, door=door)
