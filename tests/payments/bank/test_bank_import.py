from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from billing.models import Invoice, Settlement
from billing.receivables import open_amount, payment_state
from billing.services import billing_run_cancel
from communities.models import Door
from openleg.errors import DomainError
from payments.bank_import import bank_file_import
from payments.bank_resolve import bank_credit_assign, bank_credit_confirm, invoice_by_number
from payments.camt_writer import Entry, Tx
from payments.models import BankCredit, BankFile
from tests.communities.factories import CommunityFactory
from tests.payments.bank.conftest import ACCOUNT_IBAN

pytestmark = pytest.mark.django_db
BANK = Path(__file__).resolve().parents[2] / "fixtures" / "bank"


def book(data: bytes, filename: str = "april.xml", **options):
    return bank_file_import(data=data, filename=filename, actor=None, door=Door.COMMAND, **options)


def name(invoice: Invoice) -> str:
    return invoice.recipient["name"]


def state(invoice: Invoice) -> str:
    return payment_state(total=invoice.total_chf, open_chf=open_amount(invoice))


def test_payments_with_qr_and_rf_references_are_booked_on_their_invoices_partly_exactly_and_over(issued):
    first, second, third = issued.invoices
    data = issued.camt(
        issued.paying(first, ref="TX-1"),  # 100.47: exactly
        issued.paying(second, Decimal("50.00"), ref="TX-2"),  # of 99.85
        Entry([Tx(Decimal("110.00"), issued.reference(third, rf=True), "SCOR", name(third), servicer_ref="TX-3")]),
    )
    outcome = book(data)
    assert (outcome.status, outcome.errors) == ("booked", [])
    assert [(credit.status, credit.reason) for credit in outcome.credits] == [
        ("matched", ""),
        ("matched", "Teilzahlung: offen bleiben CHF 49.85."),
        ("matched", "Überzahlung von CHF 7.53."),
    ]
    assert [state(invoice) for invoice in (first, second, third)] == ["paid", "partly_paid", "overpaid"]
    assert [open_amount(invoice) for invoice in (first, second, third)] == [
        Decimal("0.00"),
        Decimal("49.85"),
        Decimal("-7.53"),
    ]
    settlement = Settlement.objects.get(invoice=first)
    assert (settlement.kind, settlement.amount_chf, settlement.booked_on, settlement.door) == (
        "payment",
        Decimal("-100.47"),
        date(2026, 4, 2),
        "command",
    )
    assert settlement.note == f"Bankdatei april.xml, Position 1: {name(first)}"
    bank_file = outcome.bank_file
    assert (bank_file.status, bank_file.format, bank_file.version, bank_file.community) == (
        "booked",
        "camt.054",
        "001.08",
        issued.community,
    )
    assert (bank_file.matched_count, bank_file.matched_chf, bank_file.unmatched_count) == (3, Decimal("260.47"), 0)
    assert BankCredit.objects.get(bank_file=bank_file, position=1).settlement == settlement
    assert bank_file.file.read() == data


def test_a_payment_without_reference_is_suggested_for_the_open_item_with_that_amount_and_name(issued, staff_user):
    first = issued.invoices[0]
    shuffled = "  " + " ".join(reversed(name(first).upper().split())) + "   "
    data = issued.camt(Entry([Tx(Decimal("100.47"), debtor=shuffled, servicer_ref="S-1")]))
    outcome = book(data)
    [credit] = outcome.credits
    assert (credit.status, credit.invoice) == ("suggested", first)
    assert (
        credit.reason
        == f"Die Zahlung hat keine Referenz. Vorschlag: {first.display_number} (gleicher Betrag, gleicher Name)."
    )
    assert Settlement.objects.count() == 0
    stored = BankCredit.objects.get()
    bank_credit_confirm(credit=stored, actor=staff_user, door=Door.ADMIN)
    stored.refresh_from_db()
    assert (stored.status, stored.reason, stored.resolved_by, stored.resolved_door) == (
        "matched",
        f"Vorschlag bestätigt: {first.display_number}.",
        staff_user,
        "admin",
    )
    assert stored.settlement.amount_chf == Decimal("-100.47")
    assert stored.settlement.created_by == staff_user
    assert state(first) == "paid"
    stored.bank_file.refresh_from_db()
    assert (stored.bank_file.suggested_count, stored.bank_file.matched_count) == (0, 1)
    with pytest.raises(DomainError) as twice:
        bank_credit_confirm(credit=stored, actor=staff_user, door=Door.ADMIN)
    assert twice.value.message == "Die Gutschrift 1 ist verbucht und kann so nicht verbucht werden."
    assert Settlement.objects.count() == 1


def test_no_suggestion_when_the_name_differs_or_the_reference_is_unknown(issued):
    second = issued.invoices[1]
    data = issued.camt(
        Entry([Tx(Decimal("100.47"), debtor="Beat Beispiel", servicer_ref="S-1")]),
        Entry([Tx(Decimal("99.85"), "RF5899900000000001", "SCOR", name(second), servicer_ref="S-2")]),
        Entry([Tx(Decimal("5.00"), debtor=name(second), servicer_ref="S-3")]),
    )
    outcome = book(data)
    assert [(credit.status, credit.reason) for credit in outcome.credits] == [
        ("unmatched", "Die Zahlung hat keine Referenz."),
        (
            "suggested",
            "Die Referenz RF5899900000000001 gehört zu keiner Rechnung dieser Gemeinschaft. "
            f"Vorschlag: {second.display_number} (gleicher Betrag, gleicher Name).",
        ),
        ("unmatched", "Die Zahlung hat keine Referenz."),
    ]


def test_an_unmatched_credit_is_assigned_by_hand_and_a_cancelled_invoice_is_refused(issued, staff_user):
    outcome = book(issued.camt(Entry([Tx(Decimal("40.00"), debtor="Unbekannt", servicer_ref="S-1")])))
    credit = BankCredit.objects.get(bank_file=outcome.bank_file)
    second = invoice_by_number(community_id=issued.community.pk, number="2")
    assert second == issued.invoices[1]
    bank_credit_assign(credit=credit, invoice=second, actor=staff_user, door=Door.ADMIN)
    credit.refresh_from_db()
    assert (credit.status, credit.invoice, credit.reason) == (
        "matched",
        second,
        f"Von Hand zugeordnet: {second.display_number}.",
    )
    assert open_amount(second) == Decimal("59.85")

    billing_run_cancel(run=second.run, actor=staff_user, reason="Tarif falsch")
    late = book(issued.camt(Entry([Tx(Decimal("12.00"), debtor="Unbekannt", servicer_ref="S-2")])), "spaet.xml")
    credit = BankCredit.objects.get(bank_file=late.bank_file)
    with pytest.raises(DomainError) as refused:
        bank_credit_assign(credit=credit, invoice=issued.invoices[0], actor=staff_user, door=Door.ADMIN)
    assert refused.value.message == (
        f"Rechnung {issued.invoices[0].display_number} ist storniert; "
        "die Zahlung von CHF 12.00 wird nicht darauf gebucht."
    )
    credit.refresh_from_db()
    assert (credit.status, credit.settlement) == ("unmatched", None)
    with pytest.raises(DomainError) as bad:
        invoice_by_number(community_id=issued.community.pk, number=f"{issued.community.pk + 1}-000001")
    assert bad.value.message == (
        f"«{issued.community.pk + 1}-000001» ist keine Rechnungsnummer dieser Gemeinschaft "
        f"(z. B. {issued.community.pk}-000042)."
    )
    with pytest.raises(DomainError) as missing:
        invoice_by_number(community_id=issued.community.pk, number=f"{issued.community.pk}-000077")
    assert missing.value.message == f"Die Rechnung {issued.community.pk}-000077 gibt es nicht."


def test_a_payment_for_a_cancelled_invoice_or_a_credit_statement_is_listed_never_booked(issued, staff_user):
    first = issued.invoices[0]
    statement = issued.statements[0]
    billing_run_cancel(run=first.run, actor=staff_user, reason="Tarif falsch")
    outcome = book(
        issued.camt(issued.paying(first, ref="TX-1"), issued.paying(statement, Decimal("14.30"), ref="TX-2"))
    )
    assert [(credit.status, credit.invoice, credit.reason) for credit in outcome.credits] == [
        (
            "not_booked",
            first,
            f"Rechnung {first.display_number} ist storniert; bitte Zahlung zuordnen oder zurückzahlen",
        ),
        (
            "not_booked",
            statement,
            f"Beleg {statement.display_number} ist eine Gutschrift; bitte Zahlung zuordnen oder zurückzahlen",
        ),
    ]
    assert Settlement.objects.filter(kind="payment").count() == 0
    assert (outcome.bank_file.not_booked_count, outcome.bank_file.not_booked_chf) == (2, Decimal("114.77"))


def test_pending_debit_and_foreign_currency_credits(issued):
    first = issued.invoices[0]
    pending = issued.paying(first, ref="TX-1")
    pending.status, pending.booked = "PDNG", ""
    debit = Entry([Tx(Decimal("55.10"), end_to_end="PAYOUT-1-1")], credit=False)
    euro = issued.paying(first, ref="TX-3")
    euro.currency = "EUR"
    outcome = book(issued.camt(pending, debit, euro))
    assert [(credit.status, credit.reason) for credit in outcome.credits] == [
        (
            "not_booked",
            "Die Bank hat die Gutschrift noch nicht definitiv gebucht (Status PDNG); verbucht wird sie mit der "
            "definitiven Buchung.",
        ),
        ("unmatched", "Zahlung in EUR: verbucht werden nur Zahlungen in CHF."),
    ]
    assert Settlement.objects.count() == 0
    # the pending credit holds no key: booked later, it is booked once
    booked = book(issued.camt(issued.paying(first, ref="TX-1"), message_id="MSG-2"), "later.xml")
    assert [credit.status for credit in booked.credits] == ["matched"]


def test_the_same_credits_in_the_camt054_and_then_the_camt053_are_booked_once(issued):
    first, second, _third = issued.invoices
    entries = (issued.paying(first, ref="TX-1"), issued.paying(second, ref="TX-2"))
    notification = book(issued.camt(*entries), "notification.xml")
    statement = book(issued.camt(*entries, kind="053", message_id="STMT-1"), "statement.xml")
    assert [credit.status for credit in notification.credits] == ["matched", "matched"]
    day = f"{timezone.localtime(notification.bank_file.created_at):%d.%m.%Y}"
    assert [(credit.status, credit.reason) for credit in statement.credits] == [
        (
            "duplicate",
            f"Bereits mit der Datei «notification.xml» vom {day} erfasst (Position 1).",
        ),
        (
            "duplicate",
            f"Bereits mit der Datei «notification.xml» vom {day} erfasst (Position 2).",
        ),
    ]
    assert statement.bank_file.format == "camt.053"
    assert (
        BankCredit.objects.get(bank_file=statement.bank_file, position=2).duplicate_of.bank_file
        == notification.bank_file
    )
    assert Settlement.objects.count() == 2
    assert (statement.bank_file.duplicate_count, statement.bank_file.duplicate_chf) == (2, Decimal("200.32"))


def test_the_same_file_again_books_nothing_and_names_the_import_that_had_it(issued):
    data = issued.camt(issued.paying(issued.invoices[0], ref="TX-1"))
    first = book(data, "a.xml")
    again = book(data, "b.xml")
    assert (again.status, again.ok, again.credits) == ("unchanged", True, [])
    assert again.errors == [
        f"Diese Datei wurde bereits am {timezone.localtime(first.bank_file.created_at):%d.%m.%Y} als «a.xml» "
        f"(Import {first.bank_file.pk}) verbucht; es wurde nichts gebucht."
    ]
    assert (again.bank_file.status, again.bank_file.same_as) == ("unchanged", first.bank_file)
    assert again.bank_file.file.name == first.bank_file.file.name
    assert Settlement.objects.count() == 1


def test_a_file_of_another_account_is_refused_whole(issued):
    data = issued.camt(issued.paying(issued.invoices[0], ref="TX-1"), account="CH6700235235000123456")
    outcome = book(data)
    assert (outcome.status, outcome.ok, outcome.credits) == ("rejected", False, [])
    assert outcome.errors == ["Das Konto CH6700235235000123456 gehört zu keiner Gemeinschaft."]
    assert (outcome.bank_file.status, outcome.bank_file.errors) == ("rejected", outcome.errors)
    assert Settlement.objects.count() == BankCredit.objects.count() == 0


def test_the_account_iban_of_the_community_is_recognised_with_spaces_and_lower_case(issued):
    spaced = "ch10 0070 0110 0002 0471 3"
    assert spaced.replace(" ", "").upper() == ACCOUNT_IBAN
    outcome = book(issued.camt(issued.paying(issued.invoices[0], ref="TX-1"), account=spaced))
    assert [credit.status for credit in outcome.credits] == ["matched"]


def test_a_file_with_an_external_entity_reads_nothing_and_books_nothing(issued):
    outcome = book((BANK / "xxe.xml").read_bytes(), "xxe.xml")
    assert outcome.status == "rejected"
    assert outcome.errors == [
        "Die Datei enthält in Zeile 2 eine DOCTYPE- oder ENTITY-Deklaration. Bankdateien haben keine; "
        "die Datei wird aus Sicherheitsgründen nicht gelesen."
    ]
    assert "root:" not in str(outcome.as_dict())
    assert BankFile.objects.get().message_id == ""
    assert Settlement.objects.count() == 0


def test_a_dry_run_decides_the_same_and_writes_nothing(issued):
    data = issued.camt(
        issued.paying(issued.invoices[0], ref="TX-1"), Entry([Tx(Decimal("99.85"), debtor=name(issued.invoices[1]))])
    )
    preview = book(data, dry_run=True)
    assert preview.status == "preview"
    assert [(credit.status, credit.invoice) for credit in preview.credits] == [
        ("matched", issued.invoices[0]),
        ("suggested", issued.invoices[1]),
    ]
    assert BankFile.objects.count() == Settlement.objects.count() == 0
    booked = book(data)
    assert [credit.as_dict() for credit in booked.credits] == [credit.as_dict() for credit in preview.credits]


def test_a_batch_booking_with_several_transactions_books_each(issued):
    first, second, third = issued.invoices
    batch = Entry(
        [
            Tx(first.total_chf, issued.reference(first), debtor=name(first), servicer_ref="B-1"),
            Tx(second.total_chf, issued.reference(second), debtor=name(second), servicer_ref="B-2"),
            Tx(third.total_chf, issued.reference(third), debtor=name(third)),
        ],
        servicer_ref="BATCH-9",
    )
    outcome = book(issued.camt(batch))
    assert [credit.status for credit in outcome.credits] == ["matched"] * 3
    assert list(BankCredit.objects.order_by("position").values_list("dedupe_key", flat=True)) == [
        "CH5730000123456789012/tx/B-1",
        "CH5730000123456789012/tx/B-2",
        "CH5730000123456789012/entry/BATCH-9/3",
    ]


def test_an_account_entered_at_two_communities_is_refused(issued):
    CommunityFactory(name="Zweite LEG", iban="", account_iban=ACCOUNT_IBAN)
    outcome = book(issued.camt(issued.paying(issued.invoices[0], ref="TX-1"), account=ACCOUNT_IBAN))
    assert outcome.errors == [
        f"Das Konto {ACCOUNT_IBAN} ist bei mehreren Gemeinschaften erfasst ({issued.community.name}, Zweite LEG); "
        "bitte bereinigen."
    ]
    assert Settlement.objects.count() == 0


def test_amounts_are_read_in_rappen_as_plain_strings(issued):
    outcome = book(issued.camt(Entry([Tx(Decimal("50"), debtor="X", servicer_ref="S-1")])), dry_run=True)
    assert outcome.credits[0].as_dict()["amount"] == "50.00"
    assert outcome.credits[0].amount_text == "50.00"
