"""What billing tells the apps that build on it (documents renders and sends PDFs) without importing them.

Both are sent inside the transaction that issued the invoices; receivers queue their work with
``transaction.on_commit`` so that nothing starts for invoices that were rolled back.
"""

from django.dispatch import Signal

# run: the BillingRun whose invoices and credit statements were just issued
invoices_issued = Signal()
# run: the cancelled BillingRun; credit_notes: the credit notes that reverse its invoices
credit_notes_issued = Signal()
