"""Issued March 2026 invoices of the sample community, through the real billing services, and bank files for
them."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from billing.models import Invoice, InvoiceKind
from billing.references import invoice_reference
from payments.camt_writer import CamtFile, Entry, Tx, build
from tests.billing.conftest import march_community  # noqa: F401

QR_IBAN = "CH5730000123456789012"
ACCOUNT_IBAN = "CH1000700110000204713"
RF_IBAN = "CH9300762011623852957"


@dataclass
class Issued:
    community: object
    invoices: list  # monthly invoices that ask for money, by number
    statements: list  # credit statements (the LEG owes the participant)

    def reference(self, invoice: Invoice, *, rf: bool = False) -> str:
        return invoice_reference(
            community_id=invoice.community_id, number=invoice.number, iban=RF_IBAN if rf else QR_IBAN
        )

    def camt(self, *entries: Entry, **options) -> bytes:
        return build(CamtFile(account=options.pop("account", QR_IBAN), entries=list(entries), **options))

    def paying(self, invoice: Invoice, amount: Decimal | None = None, *, ref: str, **tx) -> Entry:
        """A booked entry paying ``invoice`` with its QR reference."""
        transaction = Tx(
            amount=invoice.total_chf if amount is None else amount,
            reference=self.reference(invoice),
            debtor=invoice.recipient["name"],
            servicer_ref=ref,
            **tx,
        )
        return Entry([transaction])


@pytest.fixture
def issued(march_community, staff_user):  # noqa: F811
    from billing.services import billing_run_approve, billing_run_start

    march_community.iban = QR_IBAN
    march_community.account_iban = ACCOUNT_IBAN
    march_community.save()
    run = billing_run_start(community=march_community, year=2026, month=3)
    billing_run_approve(run=run, actor=staff_user, override_missing=True)
    invoices = list(Invoice.objects.filter(community=march_community).order_by("number"))
    return Issued(
        community=march_community,
        invoices=[invoice for invoice in invoices if invoice.kind == InvoiceKind.INVOICE],
        statements=[invoice for invoice in invoices if invoice.kind == InvoiceKind.CREDIT_STATEMENT],
    )
