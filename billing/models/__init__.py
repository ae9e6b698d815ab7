from billing.models.allocation_settings import AllocationKey, AllocationMethod, AllocationSetting
from billing.models.invoices import Invoice, InvoiceCounter, InvoiceKind, InvoiceLine, RecordLockedError
from billing.models.runs import BillingRun, RunDay, RunStatus, StatementLine

__all__ = [
    "AllocationKey",
    "AllocationMethod",
    "AllocationSetting",
    "BillingRun",
    "Invoice",
    "InvoiceCounter",
    "InvoiceKind",
    "InvoiceLine",
    "RecordLockedError",
    "RunDay",
    "RunStatus",
    "StatementLine",
]
