"""Payout transfers confirmed by the bank's debits in a camt.054 or camt.053."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from billing.models import Invoice, Settlement
from billing.receivables import open_amounts
from communities.models import Door
from payments.bank_import import bank_file_import
from payments.camt_writer import CamtFile, Entry, Tx, build
from payments.models import BankDebit, PayoutBatch
from payments.payouts import payout_batch_cancel, payout_batch_confirm, payout_batch_create

pytestmark = pytest.mark.django_db

ACCOUNT = "CH9300762011623852957"  # the payout community's IBAN, which payouts are debited from


def batch_of(community) -> PayoutBatch:
    return payout_batch_create(community=community, execution_date=date(2030, 4, 10), actor=None, door="command")


def debit(payout, amount=None, *, ref: str, status: str = "BOOK", end_to_end: str | None = None) -> Entry:
    transaction = Tx(
        amount=payout.amount_chf if amount is None else Decimal(amount),
        end_to_end=payout.end_to_end_id if end_to_end is None else end_to_end,
        creditor=payout.creditor_name,
        creditor_iban=payout.creditor_iban,
        servicer_ref=ref,
    )
    return Entry([transaction], credit=False, status=status, booked="2030-04-10")


def import_file(*entries: Entry, name: str = "camt054.xml", kind: str = "054", actor=None, door=Door.COMMAND):
    data = build(CamtFile(account=ACCOUNT, entries=list(entries), kind=kind, message_id=name[:35]))
    return bank_file_import(data=data, filename=name, actor=actor, door=door)


def payouts(batch):
    return list(batch.payouts.order_by("pk"))


def rows(bank_file):
    return [
        (d.position, d.end_to_end_id, d.amount, d.status, d.payout_id, d.reason)
        for d in BankDebit.objects.filter(bank_file=bank_file).order_by("position")
    ]


def test_the_debits_of_every_transfer_confirm_the_batch_once(payout_community, staff_user):
    batch = batch_of(payout_community)
    m4, m5 = payouts(batch)

    outcome = import_file(debit(m4, ref="D-1"), debit(m5, ref="D-2"), actor=staff_user)

    assert outcome.status == "booked" and outcome.errors == []
    assert [b.pk for b in outcome.confirmed_batches] == [batch.pk]
    batch.refresh_from_db()
    assert (batch.status, batch.confirmed_door, batch.confirmed_by) == ("confirmed", "import", staff_user)
    done = f"Auszahlung {batch.message_id}: alle 2 Überweisungen bestätigt, sie wird gebucht."
    assert rows(outcome.bank_file) == [
        (1, m4.end_to_end_id, Decimal("14.30"), "confirmed", m4.pk, done),
        (2, m5.end_to_end_id, Decimal("113.33"), "confirmed", m5.pk, done),
    ]
    booked = Settlement.objects.filter(kind="payout").order_by("amount_chf")
    assert [(s.invoice.number, s.amount_chf, s.door, s.booked_on) for s in booked] == [
        (4, Decimal("14.30"), "import", date(2030, 4, 10)),
        (5, Decimal("113.33"), "import", date(2030, 4, 10)),
    ]
    assert open_amounts([m4.invoice_id, m5.invoice_id]) == {
        m4.invoice_id: Decimal("0.00"),
        m5.invoice_id: Decimal("0.00"),
    }
    assert outcome.as_dict() == {
        "file": "camt054.xml",
        "format": "camt.054",
        "status": "booked",
        "credits": [],
        "errors": [],
    }


def test_a_batch_confirmed_across_two_files_books_each_payout_once(payout_community):
    batch = batch_of(payout_community)
    m4, m5 = payouts(batch)

    first = import_file(debit(m4, ref="D-1"), name="camt054-0410.xml")

    batch.refresh_from_db()
    assert (batch.status, first.confirmed_batches) == ("exported", [])
    assert rows(first.bank_file) == [
        (
            1,
            m4.end_to_end_id,
            Decimal("14.30"),
            "confirmed",
            m4.pk,
            f"Auszahlung {batch.message_id}: 1 von 2 Überweisungen bestätigt; gebucht wird, wenn alle bestätigt sind.",
        )
    ]
    assert Settlement.objects.filter(kind="payout").count() == 0

    second = import_file(debit(m4, ref="D-1"), debit(m5, ref="D-2"), name="camt053-04.xml", kind="053")

    batch.refresh_from_db()
    assert (batch.status, batch.confirmed_door, [b.pk for b in second.confirmed_batches]) == (
        "confirmed",
        "import",
        [batch.pk],
    )
    day = f"{timezone.localtime(first.bank_file.created_at):%d.%m.%Y}"
    assert rows(second.bank_file) == [
        (
            1,
            m4.end_to_end_id,
            Decimal("14.30"),
            "duplicate",
            m4.pk,
            f"Die Überweisung ist bereits mit der Datei «camt054-0410.xml» vom {day} bestätigt (Belastung 1).",
        ),
        (
            2,
            m5.end_to_end_id,
            Decimal("113.33"),
            "confirmed",
            m5.pk,
            f"Auszahlung {batch.message_id}: alle 2 Überweisungen bestätigt, sie wird gebucht.",
        ),
    ]
    assert sorted(Settlement.objects.filter(kind="payout").values_list("amount_chf", flat=True)) == [
        Decimal("14.30"),
        Decimal("113.33"),
    ]

    third = import_file(debit(m4, ref="D-1"), debit(m5, ref="D-2"), name="camt053-04-again.xml", kind="053")

    assert third.confirmed_batches == []
    assert [row[3] for row in rows(third.bank_file)] == ["duplicate", "duplicate"]
    assert Settlement.objects.filter(kind="payout").count() == 2


def test_a_debit_of_another_amount_confirms_nothing(payout_community):
    batch = batch_of(payout_community)
    m4, m5 = payouts(batch)

    outcome = import_file(debit(m4, ref="D-1"), debit(m5, "113.30", ref="D-2"))

    batch.refresh_from_db()
    assert (batch.status, outcome.confirmed_batches) == ("exported", [])
    assert rows(outcome.bank_file)[1] == (
        2,
        m5.end_to_end_id,
        Decimal("113.30"),
        "mismatch",
        m5.pk,
        f"Die Bank hat CHF 113.30 belastet, die Überweisung an {m5.creditor_name} lautet auf CHF 113.33; "
        "nichts bestätigt.",
    )
    assert rows(outcome.bank_file)[0][3:5] == ("confirmed", m4.pk)
    assert Settlement.objects.filter(kind="payout").count() == 0


def test_other_debits_are_listed_with_their_reason(payout_community):
    batch = batch_of(payout_community)
    m4, m5 = payouts(batch)
    fee = Entry([Tx(amount=Decimal("5.00"), servicer_ref="FEE-1")], credit=False, booked="2030-04-30")

    outcome = import_file(
        fee,
        debit(m4, ref="D-1", end_to_end="NOTPROVIDED"),
        debit(m5, ref="D-2", status="PDNG"),
        debit(m5, ref="D-3"),
        debit(m5, ref="D-4"),
    )

    assert [(row[0], row[3], row[5]) for row in rows(outcome.bank_file)] == [
        (1, "other", "Die Belastung hat keine End-to-End-ID."),
        (2, "other", "Keine Auszahlung hat die End-to-End-ID NOTPROVIDED."),
        (
            3,
            "not_booked",
            "Die Bank hat die Belastung noch nicht definitiv gebucht (Status PDNG); bestätigt wird mit der "
            "definitiven Buchung.",
        ),
        (
            4,
            "confirmed",
            f"Auszahlung {batch.message_id}: 1 von 2 Überweisungen bestätigt; gebucht wird, wenn alle bestätigt sind.",
        ),
        (5, "duplicate", "Dieselbe Überweisung steht bereits an Belastung 4 dieser Datei."),
    ]


def test_a_debit_of_a_cancelled_batch_is_flagged(payout_community):
    batch = batch_of(payout_community)
    m4, _m5 = payouts(batch)
    payout_batch_cancel(batch=batch, reason="Datei nie übermittelt", actor=None, door="admin")

    outcome = import_file(debit(m4, ref="D-1"))

    assert rows(outcome.bank_file) == [
        (
            1,
            m4.end_to_end_id,
            Decimal("14.30"),
            "not_confirmed",
            m4.pk,
            f"Die Auszahlung {batch.message_id} ist storniert, die Bank hat die Überweisung an "
            f"{m4.creditor_name} aber ausgeführt; bitte klären.",
        )
    ]
    assert Settlement.objects.filter(kind="payout").count() == 0


def test_a_batch_confirmed_by_hand_is_not_booked_again(payout_community, staff_user):
    batch = batch_of(payout_community)
    m4, m5 = payouts(batch)
    payout_batch_confirm(batch=batch, actor=staff_user, door="admin")

    outcome = import_file(debit(m4, ref="D-1"), debit(m5, ref="D-2"))

    already = f"Die Auszahlung {batch.message_id} war bereits als ausgeführt gebucht."
    assert [(row[3], row[5]) for row in rows(outcome.bank_file)] == [("confirmed", already), ("confirmed", already)]
    batch.refresh_from_db()
    assert (batch.confirmed_door, outcome.confirmed_batches) == ("admin", [])
    assert Settlement.objects.filter(kind="payout").count() == 2


def test_a_preview_decides_debits_and_writes_nothing(payout_community):
    batch = batch_of(payout_community)
    m4, m5 = payouts(batch)
    data = build(CamtFile(account=ACCOUNT, entries=[debit(m4, ref="D-1"), debit(m5, ref="D-2")]))

    outcome = bank_file_import(data=data, filename="x.xml", actor=None, door="command", dry_run=True)

    assert [(d.status, d.payout.pk) for d in outcome.debits] == [("confirmed", m4.pk), ("confirmed", m5.pk)]
    assert (BankDebit.objects.count(), PayoutBatch.objects.get().status) == (0, "exported")


def test_a_refused_file_confirms_nothing(payout_community, monkeypatch):
    batch = batch_of(payout_community)
    m4, m5 = payouts(batch)
    # a credit the ledger refuses at the last moment rolls back the debits and the batch's confirmation with it
    from payments import bank_import

    def broken(*args, **kwargs):
        from openleg.errors import DomainError

        raise DomainError("kaputt", code="broken")

    monkeypatch.setattr(bank_import, "bank_file_totals_refresh", broken)

    outcome = import_file(debit(m4, ref="D-1"), debit(m5, ref="D-2"))

    assert (outcome.status, outcome.errors) == ("rejected", ["kaputt"])
    assert (BankDebit.objects.count(), Settlement.objects.filter(kind="payout").count()) == (0, 0)
    assert PayoutBatch.objects.get().status == "exported"


def test_the_command_lists_debits_and_keeps_its_json(payout_community, tmp_path):
    batch = batch_of(payout_community)
    m4, m5 = payouts(batch)
    path = tmp_path / "camt054.xml"
    path.write_bytes(build(CamtFile(account=ACCOUNT, entries=[debit(m4, ref="D-1"), debit(m5, "1.00", ref="D-2")])))

    out = StringIO()
    call_command("import_bank_file", str(path), stdout=out)

    assert out.getvalue().splitlines() == [
        "camt054.xml: verbucht (camt.054)",
        f"  D1. 10.04.2030 CHF -14.30 {m4.end_to_end_id} -> {batch.message_id} ({m4.creditor_name}): "
        "Auszahlung bestätigt "
        f"(Auszahlung {batch.message_id}: 1 von 2 Überweisungen bestätigt; gebucht wird, wenn alle bestätigt sind.)",
        f"  D2. 10.04.2030 CHF -1.00 {m5.end_to_end_id} -> {batch.message_id} ({m5.creditor_name}): "
        "Betrag weicht ab "
        f"(Die Bank hat CHF 1.00 belastet, die Überweisung an {m5.creditor_name} lautet auf CHF 113.33; "
        "nichts bestätigt.)",
    ]


def both_transfers_debited(payout_community, tmp_path):
    batch = batch_of(payout_community)
    m4, m5 = payouts(batch)
    path = tmp_path / "camt054.xml"
    path.write_bytes(build(CamtFile(account=ACCOUNT, entries=[debit(m4, ref="D-1"), debit(m5, ref="D-2")])))
    return batch, path


def test_the_command_says_in_german_which_batch_the_bank_confirmed(payout_community, tmp_path):
    batch, path = both_transfers_debited(payout_community, tmp_path)

    out = StringIO()
    call_command("import_bank_file", str(path), stdout=out)

    assert out.getvalue().splitlines()[-1] == (
        f"  Auszahlung {batch.message_id} von der Bank bestätigt: 2 Überweisungen, CHF 127.63"
    )


def test_the_command_says_which_batch_the_bank_confirmed_and_json_lists_credits_only(payout_community, tmp_path):
    _batch, path = both_transfers_debited(payout_community, tmp_path)

    out = StringIO()
    call_command("import_bank_file", str(path), "--json", stdout=out)

    assert json.loads(out.getvalue()) == {
        "files": [{"file": "camt054.xml", "format": "camt.054", "status": "booked", "credits": [], "errors": []}]
    }
    assert PayoutBatch.objects.get().status == "confirmed"
    assert Invoice.objects.filter(settlements__kind="payout").count() == 2


def test_the_bank_file_page_lists_the_debits(payout_community, staff):
    batch = batch_of(payout_community)
    m4, m5 = payouts(batch)
    outcome = import_file(debit(m4, ref="D-1"), debit(m5, "9.99", ref="D-2"))

    page = staff.get(reverse("admin:payments_bankfile_change", args=[outcome.bank_file.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Belastungen" in html
    assert m4.end_to_end_id in html and "CHF 14.30" in html and "CHF 9.99" in html
    assert html.count(reverse("admin:payments_payoutbatch_change", args=[batch.pk])) == 2
    assert "Betrag weicht ab" in html and "Auszahlung bestätigt" in html


def test_the_batch_page_shows_which_bank_file_debited_each_transfer(payout_community, staff):
    batch = batch_of(payout_community)
    m4, _m5 = payouts(batch)
    outcome = import_file(debit(m4, ref="D-1"), name="camt054-0410.xml")

    page = staff.get(reverse("admin:payments_payoutbatch_change", args=[batch.pk]))

    html = page.content.decode()
    link = reverse("admin:payments_bankfile_change", args=[outcome.bank_file.pk])
    assert page.status_code == 200
    assert f'10.04.2030 (<a href="{link}">camt054-0410.xml</a>)' in html
    assert html.count(link) == 1


def test_the_preview_lists_the_debits_before_booking(payout_community, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    batch = batch_of(payout_community)
    m4, m5 = payouts(batch)
    data = build(CamtFile(account=ACCOUNT, entries=[debit(m4, ref="D-1"), debit(m5, ref="D-2")]))

    staged = staff.post(
        reverse("admin:payments_bankfile_upload"), {"file": SimpleUploadedFile("camt054.xml", data)}, follow=True
    )

    html = staged.content.decode()
    assert staged.status_code == 200
    assert "Belastungen" in html and m5.end_to_end_id in html and "CHF 113.33" in html
    assert f"Auszahlung {batch.message_id}: alle 2 Überweisungen bestätigt, sie wird gebucht." in html
    assert (BankDebit.objects.count(), PayoutBatch.objects.get().status) == (0, "exported")
