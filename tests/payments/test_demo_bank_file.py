"""The demo bank file: a camt.054 that pays a community's open invoices as their recipients would, and debits its
exported payouts; it parses and imports without errors."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from billing.models import Invoice
from billing.references import invoice_reference
from communities.models import Community, Participant
from payments import camt
from payments.bank_import import bank_file_import
from payments.demo import demo_bank_file_build, open_invoices
from payments.models import PayoutBatch
from payments.payouts import payout_batch_create
from tests.payments.conftest import PARTICIPANT_IBANS

pytestmark = pytest.mark.django_db

QR_IBAN = "CH5730000123456789012"
ACCOUNT_IBAN = "CH1000700110000204713"
DAY = date(2030, 4, 12)


@pytest.fixture
def qr_community(march_community):
    """The March community with a QR-IBAN for payments and its ordinary IBAN for payouts, March 2026 issued."""
    from billing.services import billing_run_approve, billing_run_start

    Community.objects.filter(pk=march_community.pk).update(
        credit_handling="payout", name="LEG Sonnenberg", iban=QR_IBAN, account_iban=ACCOUNT_IBAN
    )
    participants = Participant.objects.filter(community=march_community).order_by("customer_number")
    for participant, iban in zip(participants, PARTICIPANT_IBANS, strict=True):
        Participant.objects.filter(pk=participant.pk).update(iban=iban)
    community = Community.objects.get(pk=march_community.pk)
    run = billing_run_start(community=community, year=2026, month=3)
    billing_run_approve(run=run, actor=None, reason="x", override_missing=True)
    return community


def reference(invoice: Invoice, iban: str) -> str:
    return invoice_reference(community_id=invoice.community_id, number=invoice.number, iban=iban)


def test_the_demo_file_pays_the_open_invoices_and_debits_the_payouts(qr_community, staff_user):
    batch = payout_batch_create(community=qr_community, execution_date=DAY, actor=None, door="command")
    due = open_invoices(qr_community)
    assert [(invoice.number, amount) for invoice, amount in due] == [
        (1, Decimal("100.47")),
        (2, Decimal("99.85")),
        (3, Decimal("102.47")),
    ]
    first, second, third = (invoice for invoice, _amount in due)

    demo = demo_bank_file_build(community=qr_community, pay_percent=100, booked_on=DAY)

    assert (demo.credit_count, demo.credits_chf, demo.debit_count, demo.debits_chf) == (
        3,
        Decimal("252.87"),
        2,
        Decimal("127.63"),
    )
    document = camt.parse(demo.data)
    assert (document.kind, document.version, [r.account_iban for r in document.reports]) == (
        "camt.054",
        "001.08",
        [QR_IBAN, ACCOUNT_IBAN],
    )
    outcome = bank_file_import(data=demo.data, filename="demo.xml", actor=staff_user, door="admin")
    assert (outcome.status, outcome.errors) == ("booked", [])
    assert [
        (c.amount, c.reference, c.reference_type, c.status, c.invoice.number, c.reason) for c in outcome.credits
    ] == [
        (Decimal("100.47"), reference(first, QR_IBAN), "QRR", "matched", 1, ""),
        (Decimal("49.93"), reference(second, QR_IBAN), "QRR", "matched", 2, "Teilzahlung: offen bleiben CHF 49.92."),
        (
            Decimal("102.47"),
            "",
            "",
            "suggested",
            3,
            f"Die Zahlung hat keine Referenz. Vorschlag: {third.display_number} (gleicher Betrag, gleicher Name).",
        ),
    ]
    m4, m5 = batch.payouts.order_by("pk")
    assert [(d.end_to_end_id, d.amount, d.status) for d in outcome.debits] == [
        (m4.end_to_end_id, Decimal("14.30"), "confirmed"),
        (m5.end_to_end_id, Decimal("113.33"), "confirmed"),
    ]
    assert [b.pk for b in outcome.confirmed_batches] == [batch.pk]
    assert PayoutBatch.objects.get().confirmed_door == "import"


def test_the_same_state_gives_the_same_file_and_a_second_file_pays_what_is_left(qr_community):
    first = demo_bank_file_build(community=qr_community, pay_percent=100, booked_on=DAY)
    assert demo_bank_file_build(community=qr_community, pay_percent=100, booked_on=DAY).data == first.data
    assert bank_file_import(data=first.data, filename="a.xml", actor=None, door="command").errors == []

    second = demo_bank_file_build(community=qr_community, pay_percent=100, booked_on=date(2030, 4, 13))

    outcome = bank_file_import(data=second.data, filename="b.xml", actor=None, door="command")
    assert (outcome.status, outcome.errors) == ("booked", [])
    # the rest of invoice 2; invoice 3's payment arrived and waits as a suggestion, it is not paid twice
    assert [(c.amount, c.status, c.invoice.number) for c in outcome.credits] == [(Decimal("49.92"), "matched", 2)]


def test_an_ordinary_iban_gives_rf_references_in_one_notification(payout_community):
    demo = demo_bank_file_build(community=payout_community, pay_percent=50, booked_on=DAY)

    document = camt.parse(demo.data)
    assert [r.account_iban for r in document.reports] == ["CH9300762011623852957"]
    transactions = [tx for entry in document.entries for tx in entry.transactions]
    invoices = list(Invoice.objects.filter(community=payout_community, number__in=[1, 2]).order_by("number"))
    assert [(tx.amount, tx.reference, tx.reference_type) for tx in transactions] == [
        (Decimal("100.47"), reference(invoices[0], "CH9300762011623852957"), "SCOR"),
        (Decimal("99.85"), reference(invoices[1], "CH9300762011623852957"), "SCOR"),
    ]
    assert (demo.paid_in_part, demo.without_reference, demo.batches) == ([], [], [])
    outcome = bank_file_import(data=demo.data, filename="rf.xml", actor=None, door="command")
    assert [(c.status, c.invoice.number) for c in outcome.credits] == [("matched", 1), ("matched", 2)]


def test_the_command_writes_the_file_and_says_what_is_in_it(qr_community, tmp_path):
    payout_batch_create(community=qr_community, execution_date=DAY, actor=None, door="command")
    target = tmp_path / "demo.xml"
    out = StringIO()

    call_command("demo_bank_file", "maerz", "--out", str(target), "--date", "2030-04-12", stdout=out)

    assert out.getvalue().strip() == (
        f"{target}: 2 Zahlungen über CHF 200.32 (2 vollständig mit Referenz, 0 teilweise, 0 ohne Referenz), "
        "2 Belastungen über CHF 127.63 (1 Auszahlungen)."
    )
    assert target.read_bytes() == demo_bank_file_build(community=qr_community, pay_percent=80, booked_on=DAY).data


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nirgends", "--out", "{tmp}/x.xml"], "Keine LEG mit der Nummer oder Kurzbezeichnung «nirgends»."),
        (["maerz", "--out", "{tmp}/x.xml", "--pay", "120"], "--pay: 120 ist kein Prozentsatz zwischen 0 und 100."),
        (
            ["maerz", "--out", "{tmp}/x.xml", "--date", "12.04.2030"],
            "--date: «12.04.2030» ist kein Datum der Form JJJJ-MM-TT.",
        ),
        (["maerz", "--out", "{tmp}/nowhere/x.xml"], "--out: das Verzeichnis {tmp}/nowhere gibt es nicht."),
        (
            ["maerz", "--out", "{tmp}/x.xml", "--pay", "0"],
            "Für die LEG «LEG Sonnenberg» ist keine Rechnung offen und keine Auszahlung exportiert; die Bankdatei "
            "wäre leer.",
        ),
    ],
)
def test_the_command_refuses_bad_input_in_german(qr_community, tmp_path, arguments, message):
    with pytest.raises(CommandError) as error:
        call_command("demo_bank_file", *[a.replace("{tmp}", str(tmp_path)) for a in arguments])

    assert str(error.value) == message.replace("{tmp}", str(tmp_path))
    assert not (tmp_path / "x.xml").exists()


def test_a_community_without_account_is_refused(march_community, tmp_path):
    Community.objects.filter(pk=march_community.pk).update(iban="", account_iban="", name="LEG Ohne Konto")

    with pytest.raises(CommandError) as error:
        call_command("demo_bank_file", "maerz", "--out", str(tmp_path / "x.xml"))

    assert str(error.value) == (
        "Die LEG «LEG Ohne Konto» hat kein Konto (IBAN für Zahlungen); ohne Konto gibt es keine Bankdatei."
    )
