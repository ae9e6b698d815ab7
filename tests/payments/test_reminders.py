"""Reminders: overdue invoices proposed as a list, approved by a person, fees booked, levels capped."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from billing.models import Invoice, Settlement
from billing.receivables import open_amount, payment_book
from billing.services import billing_run_approve, billing_run_cancel, billing_run_start
from openleg.errors import DomainError
from payments.models import Reminder, ReminderRun
from payments.reminders import reminder_run_approve, reminder_run_discard, reminder_run_propose, reminders_due
from tests.billing.conftest import march_community  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(march_community):  # noqa: F811
    march_community.reminder_fee_chf = Decimal("20.00")
    march_community.save()
    run = billing_run_start(community=march_community, year=2026, month=3)
    return billing_run_approve(run=run, actor=None, reason="Testdaten", override_missing=True)


def invoice_of(run, customer_number):
    return Invoice.objects.get(run=run, participant__customer_number=customer_number, kind="invoice")


def due_day(run):
    return invoice_of(run, "M1").due_date


def test_nothing_is_due_before_the_waiting_days_have_passed(issued):
    community = issued.community
    assert reminders_due(community=community, as_of=due_day(issued) + timedelta(days=9)) == []
    with pytest.raises(DomainError) as refused:
        reminder_run_propose(community=community, as_of=due_day(issued) + timedelta(days=9), actor=None, door="admin")
    assert refused.value.message == (
        f"{community} hat am {(due_day(issued) + timedelta(days=9)):%d.%m.%Y} keine Rechnung, die gemahnt werden muss."
    )


def test_the_consumers_open_invoices_are_proposed_credits_and_paid_ones_are_not(issued):
    paid = invoice_of(issued, "M2")
    payment_book(invoice=paid, amount=paid.total_chf, booked_on=date(2026, 4, 20), actor=None, door="command")
    as_of = due_day(issued) + timedelta(days=10)

    run = reminder_run_propose(community=issued.community, as_of=as_of, actor=None, door="admin")

    rows = list(run.reminders.values_list("invoice__participant__customer_number", "level", "open_chf", "fee_chf"))
    assert rows == [("M1", 1, Decimal("100.47"), Decimal("0.00")), ("M3", 1, Decimal("102.47"), Decimal("0.00"))]
    assert {r.due_date for r in run.reminders.all()} == {as_of + timedelta(days=10)}
    assert Settlement.objects.count() == 1  # the payment only: nothing booked before approval


def test_approval_books_the_fee_from_the_second_level_and_stops_at_the_last_level(issued):
    invoice = invoice_of(issued, "M1")
    as_of = due_day(issued) + timedelta(days=10)
    levels = []
    for _round in range(4):
        try:
            run = reminder_run_propose(community=issued.community, as_of=as_of, actor=None, door="admin")
        except DomainError as error:
            levels.append(error.code)
            break
        reminder_run_approve(run=run, actor=None, door="admin")
        reminder = run.reminders.get(invoice=invoice)
        levels.append((reminder.level, reminder.open_chf, reminder.fee_chf, reminder.amount_due))
        as_of = reminder.due_date + timedelta(days=10)
    assert levels == [
        (1, Decimal("100.47"), Decimal("0.00"), Decimal("100.47")),
        (2, Decimal("100.47"), Decimal("20.00"), Decimal("120.47")),
        (3, Decimal("120.47"), Decimal("20.00"), Decimal("140.47")),
        "nothing_due",
    ]
    assert open_amount(invoice) == Decimal("140.47")
    fees = Settlement.objects.filter(invoice=invoice, kind="reminder_fee").values_list("amount_chf", flat=True)
    assert list(fees) == [Decimal("20.00"), Decimal("20.00")]


def test_a_payment_after_the_proposal_makes_the_approval_refuse_and_discarding_frees_the_invoices(issued):
    as_of = due_day(issued) + timedelta(days=10)
    run = reminder_run_propose(community=issued.community, as_of=as_of, actor=None, door="admin")
    with pytest.raises(DomainError) as waiting:
        reminder_run_propose(community=issued.community, as_of=as_of, actor=None, door="admin")
    assert waiting.value.message == (
        f"Für {issued.community} wartet bereits ein Mahnvorschlag vom {as_of:%d.%m.%Y} auf die Freigabe."
    )
    invoice = invoice_of(issued, "M1")
    payment_book(invoice=invoice, amount=Decimal("50.00"), booked_on=as_of, actor=None, door="command")

    with pytest.raises(DomainError) as stale:
        reminder_run_approve(run=run, actor=None, door="admin")
    assert stale.value.message == (
        f"Seit dem Vorschlag hat sich der offene Betrag geändert bei: {invoice.display_number} (jetzt CHF 50.47 "
        "statt 100.47). Bitte verwerfen Sie den Vorschlag und erstellen Sie einen neuen."
    )
    run.refresh_from_db()
    assert run.status == "draft"

    reminder_run_discard(run=run, actor=None, door="admin")
    with pytest.raises(DomainError) as decided:
        reminder_run_approve(run=run, actor=None, door="admin")
    assert decided.value.code == "reminder_run_decided"
    assert Reminder.objects.count() == 0
    again = reminder_run_propose(community=issued.community, as_of=as_of, actor=None, door="admin")
    assert again.reminders.get(invoice=invoice).open_chf == Decimal("50.47")
    assert ReminderRun.objects.count() == 2


def test_a_cancelled_invoice_is_never_reminded(issued):
    billing_run_cancel(run=issued, actor=None, reason="Falscher Tarif")
    assert reminders_due(community=issued.community, as_of=due_day(issued) + timedelta(days=40)) == []


def test_the_daily_task_proposes_a_list_per_community_with_overdue_invoices(issued, monkeypatch):
    from django_celery_beat.models import PeriodicTask

    from payments import tasks

    monkeypatch.setattr(tasks, "local_date", lambda moment: due_day(issued) + timedelta(days=10))
    issued.community.status = "active"
    issued.community.save()
    assert tasks.propose_reminders() == 1
    assert tasks.propose_reminders() == 0  # a list waits: nothing new
    assert ReminderRun.objects.get().reminders.count() == 3
    entry = PeriodicTask.objects.get(name="Mahnungen vorschlagen (täglich)")
    assert (entry.task, entry.crontab.hour, entry.crontab.minute) == ("payments.tasks.propose_reminders", "7", "0")


def test_an_unpaid_invoice_with_a_reminder_fee_is_open_in_the_open_items(issued):
    from billing.models import SettlementKind
    from billing.receivables import settlement_book
    from payments.open_items import open_items

    invoice = invoice_of(issued, "M1")
    settlement_book(
        invoice=invoice,
        kind=SettlementKind.REMINDER_FEE,
        amount=Decimal("20.00"),
        booked_on=date(2027, 2, 1),
        actor=None,
        door="admin",
    )
    items = {item.invoice.pk: item for group in open_items(today=date(2027, 2, 1)).participants for item in group.items}
    assert (items[invoice.pk].open_chf, items[invoice.pk].state) == (Decimal("120.47"), "open")
