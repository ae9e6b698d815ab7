"""What documents does when billing issues invoices or credit notes (``billing.signals``): render their PDFs
after the transaction commits, in the background."""

from django.dispatch import receiver

from billing.signals import credit_notes_issued, invoices_issued
from communities.models import Door
from documents.invoice_pdfs import invoice_pdfs_render_later


@receiver(invoices_issued, dispatch_uid="documents.render_issued_invoices")
def render_issued_invoices(sender, *, run, **kwargs) -> None:
    invoice_pdfs_render_later(run=run, door=Door.TASK)


@receiver(credit_notes_issued, dispatch_uid="documents.render_credit_notes")
def render_credit_notes(sender, *, run, **kwargs) -> None:
    invoice_pdfs_render_later(run=run, door=Door.TASK)
