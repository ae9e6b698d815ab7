"""A month from meter data to money, on PostgreSQL, as a billing clerk walks it: import, run, a correction and the
refused approval, recompute, approval, PDFs, e-mails, a camt.054 paying most invoices, a reminder, a pain.001
payout, a carry-over on the next month — and the books balanced to the Rappen after every step."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum
from lxml import etree

from billing.basis import basis_changes
from billing.invoicing import community_books
from billing.models import BillingRun, Invoice, InvoicePdf, Settlement, StatementLine
from billing.receivables import open_amounts
from billing.references import invoice_reference
from billing.services import billing_run_approve, billing_run_start
from communities.models import Door, Participant
from documents.dispatch import invoices_dispatch
from documents.models import Dispatch
from metering.sdat_writer import SdatSeries, write_e66
from metering.services import meter_file_import
from openleg.errors import DomainError
from openleg.periods import local_day
from payments.bank_import import bank_file_import
from payments.camt_writer import CamtFile, Entry, Tx, build
from payments.models import BankCredit, PayoutBatch
from payments.payouts import payout_batch_confirm, payout_batch_create
from payments.reminders import reminder_run_approve, reminder_run_propose
from tests.billing.conftest import march_community  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

XSD = Path(__file__).resolve().parent.parent / "fixtures" / "iso20022" / "pain.001.001.09.xsd"
PAYOUT_IBAN = "CH5700762000000001001"
POINT_1 = f"CH10077712345{1:020d}"


def assert_books_balance(community) -> None:
    """Every issued run's invoices add up to its computed totals; every franc that moved is on an item."""
    for run in BillingRun.objects.filter(community=community, approved_at__isnull=False):
        books = community_books(community, run)
        assert {kind: str(amount) for kind, amount in books.items()} == run.totals["chf"], run
    items = Invoice.objects.filter(community=community)
    totals = items.aggregate(total=Sum("total_chf"))["total"] or Decimal(0)
    settled = Settlement.objects.filter(invoice__community=community)
    assert sum(open_amounts(items.values_list("pk", flat=True)).values(), Decimal(0)) == totals + (
        settled.aggregate(total=Sum("amount_chf"))["total"] or Decimal(0)
    )
    received = -(settled.filter(kind="payment").aggregate(total=Sum("amount_chf"))["total"] or Decimal(0))
    booked_credits = BankCredit.objects.filter(settlement__isnull=False).aggregate(total=Sum("amount"))["total"]
    assert received == (booked_credits or Decimal(0))
    paid_out = settled.filter(kind="payout").aggregate(total=Sum("amount_chf"))["total"] or Decimal(0)
    confirmed = PayoutBatch.objects.filter(community=community, status="confirmed").aggregate(total=Sum("total_chf"))
    assert paid_out == (confirmed["total"] or Decimal(0))
    carried = settled.filter(kind="carry_over").aggregate(total=Sum("amount_chf"))["total"] or Decimal(0)
    assert carried == -(items.aggregate(total=Sum("carried_chf"))["total"] or Decimal(0))


def item(run, number):
    return Invoice.objects.get(run=run, participant__customer_number=number, kind__in=["invoice", "credit_statement"])


def test_a_month_from_meter_data_to_money(march_community, mailoutbox, django_capture_on_commit_callbacks):  # noqa: F811
    community = march_community
    community.credit_handling = "payout"
    community.reminder_fee_chf = Decimal("20.00")
    community.save()
    for number in ("M1", "M2", "M3", "M4"):
        Participant.objects.filter(community=community, customer_number=number).update(
            email=f"{number.lower()}@example.ch"
        )
    Participant.objects.filter(community=community, customer_number="M5").update(iban=PAYOUT_IBAN)

    # run, then a correction of point 1 on 10 March: approval refused until recomputed
    run = billing_run_start(community=community, year=2026, month=3)
    correction = write_e66(
        [SdatSeries(POINT_1, "consumption", "total", local_day(date(2026, 3, 10)).start, [400] * 96)],
        document_id="KORR-1",
        created=datetime(2026, 4, 20, tzinfo=UTC),
    )
    assert meter_file_import(data=correction, filename="korrektur.xml", actor=None, door=Door.COMMAND).ok
    assert [change.code for change in basis_changes(run)] == ["meter_data"]
    with pytest.raises(DomainError) as stale:
        billing_run_approve(run=run, actor=None)
    assert stale.value.code == "stale_run"
    run = billing_run_start(community=community, year=2026, month=3)
    with django_capture_on_commit_callbacks(execute=True):
        run = billing_run_approve(run=run, actor=None)
    assert_books_balance(community)
    totals = {number: item(run, number).total_chf for number in ("M1", "M2", "M3", "M4", "M5")}
    assert totals == {
        "M1": Decimal("103.50"),
        "M2": Decimal("99.46"),
        "M3": Decimal("102.10"),
        "M4": Decimal("-15.19"),
        "M5": Decimal("-113.92"),
    }

    # PDFs (rendered on approval, eager Celery here), e-mails: four sent, M5 has no address and is printed
    assert InvoicePdf.objects.filter(invoice__run=run).count() == 5
    with django_capture_on_commit_callbacks(execute=True):
        plan = invoices_dispatch(run=run, actor=None, door=Door.ADMIN)
    assert (len(plan.sendable), len(plan.not_sendable)) == (4, 1)
    assert sorted(message.to[0] for message in mailoutbox) == [f"m{n}@example.ch" for n in (1, 2, 3, 4)]
    assert all(len(message.attachments) == 1 for message in mailoutbox)
    assert Dispatch.objects.filter(status="sent").count() == 4

    # a camt.054 pays M1 and M2 in full and M3 in part
    def reference(invoice):
        return invoice_reference(community_id=community.pk, number=invoice.number, iban=community.iban)

    transactions = [
        Tx(Decimal("103.50"), reference(item(run, "M1")), "SCOR", "Anna Muster", servicer_ref="T1"),
        Tx(Decimal("99.46"), reference(item(run, "M2")), "SCOR", "Anna Muster", servicer_ref="T2"),
        Tx(Decimal("50.00"), reference(item(run, "M3")), "SCOR", "Anna Muster", servicer_ref="T3"),
    ]
    camt = build(CamtFile(account=community.iban, entries=[Entry(transactions, booked="2026-12-08")]))
    outcome = bank_file_import(data=camt, filename="camt054.xml", actor=None, door=Door.COMMAND)
    assert [credit["status"] for credit in outcome.as_dict()["credits"]] == ["matched"] * 3
    assert open_amounts([item(run, n).pk for n in ("M1", "M2", "M3")]) == {
        item(run, "M1").pk: Decimal("0.00"),
        item(run, "M2").pk: Decimal("0.00"),
        item(run, "M3").pk: Decimal("52.10"),
    }
    assert_books_balance(community)

    # one reminder: M3 is overdue with CHF 52.10
    as_of = item(run, "M3").due_date + timedelta(days=10)
    reminders = reminder_run_propose(community=community, as_of=as_of, actor=None, door=Door.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        reminder_run_approve(run=reminders, actor=None, door=Door.ADMIN)
    reminder_mail = mailoutbox[-1]
    assert (reminder_mail.to, len(mailoutbox)) == (["m3@example.ch"], 5)
    assert reminder_mail.subject.startswith(f"Zahlungserinnerung zu Rechnung {item(run, 'M3').display_number}")
    assert reminder_mail.attachments[0][0] == f"Zahlungserinnerung-{item(run, 'M3').display_number}.pdf"
    assert list(reminders.reminders.values_list("invoice__participant__customer_number", "level", "open_chf")) == [
        ("M3", 1, Decimal("52.10"))
    ]
    assert_books_balance(community)

    # payouts: M5's credit to its IBAN as a pain.001 file valid against the ISO 20022 schema; M4 has no IBAN
    batch = payout_batch_create(community=community, execution_date=date(2026, 12, 10), actor=None, door="admin")
    assert (batch.payout_count, batch.total_chf) == (1, Decimal("113.92"))
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.fromstring(batch.file.read())
    assert schema.validate(document), schema.error_log
    payout_batch_confirm(batch=batch, actor=None, door="admin")
    assert open_amounts([item(run, "M5").pk]) == {item(run, "M5").pk: Decimal("0.00")}
    assert_books_balance(community)

    # the community now carries credits over: April's invoice of M4 carries its March credit of CHF 15.19
    community.credit_handling = "carry_over"
    community.save()
    april = billing_run_start(community=community, year=2026, month=4)
    line = StatementLine.objects.get(run=april, kind="carry")
    assert (line.participant.customer_number, line.amount_chf) == ("M4", Decimal("-15.19"))
    april = billing_run_approve(run=april, actor=None, reason="keine Messdaten im April", override_missing=True)
    assert (item(april, "M4").carried_chf, item(april, "M4").total_chf) == (Decimal("-15.19"), Decimal("-12.69"))
    assert open_amounts([item(run, "M4").pk]) == {item(run, "M4").pk: Decimal("0.00")}
    assert_books_balance(community)
