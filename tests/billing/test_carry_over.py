"""Credits carried over to the next invoice, as the invoice texts promise, and settled when it is issued."""

from datetime import date
from decimal import Decimal

import pytest

from billing.models import Invoice, InvoiceKind, Settlement, StatementLine
from billing.receivables import open_amount, open_amounts, payment_book, settlement_book
from billing.services import billing_run_approve, billing_run_cancel, billing_run_start
from openleg.errors import DomainError

pytestmark = pytest.mark.django_db


def month(community, number):
    run = billing_run_start(community=community, year=2026, month=number)
    return billing_run_approve(run=run, actor=None, reason="Testdaten", override_missing=True)


def item(run, customer_number):
    return Invoice.objects.get(
        run=run, participant__customer_number=customer_number, kind__in=["invoice", "credit_statement"]
    )


def test_a_credit_statement_is_carried_to_the_next_invoice_and_settled_there(march_community):
    march = month(march_community, 3)
    credit = item(march, "M5")  # the producer: credits exceed its fee
    assert (credit.kind, credit.total_chf) == (InvoiceKind.CREDIT_STATEMENT, Decimal("-113.33"))

    april = billing_run_start(community=march_community, year=2026, month=4)
    line = StatementLine.objects.get(run=april, kind="carry", participant__customer_number="M5")
    assert (line.participant.customer_number, line.label, line.amount_chf, line.carried_from_id) == (
        "M5",
        f"Guthaben aus Gutschrift {credit.display_number}",
        Decimal("-113.33"),
        credit.pk,
    )
    # the prosumer's credit statement of CHF 14.30 is carried too
    assert april.totals["chf"]["carry"] == "-127.63"

    april = billing_run_approve(run=april, actor=None, reason="Testdaten", override_missing=True)
    following = item(april, "M5")
    # April has no data: the fee of CHF 2.50 less the carried credit
    assert (following.kind, following.carried_chf, following.total_chf) == (
        InvoiceKind.CREDIT_STATEMENT,
        Decimal("-113.33"),
        Decimal("-110.83"),
    )
    settlement = Settlement.objects.get(invoice=credit)
    assert (settlement.kind, settlement.amount_chf, settlement.counterpart) == (
        "carry_over",
        Decimal("113.33"),
        following,
    )
    assert open_amount(credit) == Decimal("0.00")
    # the consumers' March invoices are open (owed, not credits): nothing of theirs is carried
    assert list(
        StatementLine.objects.filter(run=april, kind="carry").values_list("participant__customer_number", flat=True)
    ) == ["M4", "M5"]


def test_a_community_that_pays_out_carries_no_credit(march_community):
    march_community.credit_handling = "payout"
    march_community.save()
    month(march_community, 3)
    april = billing_run_start(community=march_community, year=2026, month=4)
    assert not StatementLine.objects.filter(run=april, kind="carry").exists()


def test_a_paid_invoice_cancelled_leaves_a_credit_that_the_new_run_of_the_month_carries(march_community):
    march = month(march_community, 3)
    invoice = item(march, "M1")
    assert invoice.total_chf == Decimal("100.47")
    payment_book(invoice=invoice, amount=Decimal("100.47"), booked_on=date(2026, 4, 20), actor=None, door="command")

    billing_run_cancel(run=march, actor=None, reason="Falscher Tarif", door="admin")
    note = Invoice.objects.get(corrects=invoice)
    assert (note.kind, note.total_chf, open_amount(note)) == ("credit_note", Decimal("-100.47"), Decimal("-100.47"))
    assert open_amount(invoice) == Decimal("0.00")

    again = month(march_community, 3)
    rebilled = item(again, "M1")
    assert (rebilled.carried_chf, rebilled.total_chf) == (Decimal("-100.47"), Decimal("0.00"))
    assert open_amounts([invoice.pk, note.pk, rebilled.pk]) == {
        invoice.pk: Decimal("0.00"),
        note.pk: Decimal("0.00"),
        rebilled.pk: Decimal("0.00"),
    }


def test_a_credit_settled_after_the_computation_makes_the_run_stale(march_community):
    march = month(march_community, 3)
    credit = item(march, "M5")
    april = billing_run_start(community=march_community, year=2026, month=4)
    # the credit is paid out meanwhile (a confirmed payout settles it)
    settlement_book(
        invoice=credit, kind="payout", amount=Decimal("113.33"), booked_on=date(2026, 5, 3), actor=None, door="admin"
    )
    with pytest.raises(DomainError) as refused:
        billing_run_approve(run=april, actor=None, reason="Testdaten", override_missing=True)
    assert refused.value.message == (
        "Daten seit der Berechnung geändert: Offene Guthaben, die auf die Rechnungen übertragen werden, haben sich "
        "geändert. Bitte berechnen Sie den Lauf neu."
    )
