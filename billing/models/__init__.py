from billing.models.allocation_settings import AllocationKey, AllocationMethod, AllocationSetting
from billing.models.invoices import (
    MONTHLY_KINDS,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    InvoicePdf,
    RecordLockedError,
)
from billing.models.runs import BillingRun, RunBatch, RunBatchItem, RunDay, RunStatus, StatementLine
from billing.models.settlements import Settlement, SettlementKind

__all__ = [
    "MONTHLY_KINDS",
    "AllocationKey",
    "AllocationMethod",
    "AllocationSetting",
    "BillingRun",
    "Invoice",
    "InvoiceCounter",
    "InvoiceKind",
    "InvoiceLine",
    "InvoicePdf",
    "RecordLockedError",
    "RunBatch",
    "RunBatchItem",
    "RunDay",
    "RunStatus",
    "Settlement",
    "SettlementKind",
    "StatementLine",
]
