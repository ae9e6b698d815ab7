import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from lxml import etree

from billing.models import Invoice, Settlement
from billing.receivables import open_amounts, payment_book
from communities.models import Community, Participant
from openleg.errors import DomainError
from payments.models import Payout, PayoutBatch
from payments.payouts import (
    next_business_day,
    payout_batch_cancel,
    payout_batch_confirm,
    payout_batch_create,
    payouts_due,
)

pytestmark = pytest.mark.django_db

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parents[1] / "fixtures" / "iso20022" / "pain.001.001.09.xsd")))
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
EXECUTION = date(2030, 4, 10)
QR_IBAN = "CH4431999123000889012"


def participant(community, number: str) -> Participant:
    return Participant.objects.get(community=community, customer_number=number)


def item(community, number: int) -> Invoice:
    return Invoice.objects.get(community=community, number=number)


def create(community, **overrides) -> PayoutBatch:
    arguments = {"community": community, "execution_date": EXECUTION, "actor": None, "door": "command"}
    return payout_batch_create(**{**arguments, **overrides})


def refused(call, **arguments) -> DomainError:
    with pytest.raises(DomainError) as error:
        call(**arguments)
    return error.value


def test_due_are_the_credit_statements_of_participants_with_an_iban(payout_community):
    due = payouts_due(payout_community)

    assert [(d.participant.customer_number, d.invoice.number, d.amount, d.reason) for d in due.payable] == [
        ("M4", 4, Decimal("14.30"), ""),
        ("M5", 5, Decimal("113.33"), ""),
    ]
    assert (due.total, due.held) == (Decimal("127.63"), [])


def test_a_participant_without_or_with_an_unusable_iban_is_listed_apart_and_not_exported(payout_community):
    Participant.objects.filter(pk=participant(payout_community, "M4").pk).update(iban="")
    Participant.objects.filter(pk=participant(payout_community, "M5").pk).update(iban=QR_IBAN)

    due = payouts_due(payout_community)

    assert due.payable == []
    assert [(d.participant.customer_number, d.amount, d.reason) for d in due.held] == [
        ("M4", Decimal("14.30"), "Keine Bankverbindung erfasst"),
        (
            "M5",
            Decimal("113.33"),
            "Die IBAN CH4431999123000889012 ist eine QR-IBAN: sie empfängt nur Zahlungen mit QR-Referenz. "
            "Für Auszahlungen braucht es die gewöhnliche IBAN des Kontos.",
        ),
    ]
    assert due.held_total == Decimal("127.63")
    error = refused(create, community=payout_community)
    assert (error.code, error.message) == ("nothing_due", "Für die LEG «LEG Sonnenberg» ist nichts auszuzahlen.")


def test_a_batch_exports_every_payable_credit_as_one_valid_pain001_file(payout_community, staff_user):
    Participant.objects.filter(pk=participant(payout_community, "M4").pk).update(iban="")
    Participant.objects.filter(pk=participant(payout_community, "M5").pk).update(
        kind="company", company_name="Müller & Söhne Energie AG, Zweigniederlassung Sonnenberg-Oberdorf (Kanton Zürich)"
    )

    batch = create(payout_community, actor=staff_user, door="admin")

    xml = batch.file.read()
    root = etree.fromstring(xml)
    SCHEMA.assertValid(root)
    community_id = payout_community.pk
    assert batch.message_id.startswith(f"OLEG-{community_id}-") and len(batch.message_id) <= 35
    assert (batch.status, batch.execution_date, batch.payout_count, batch.total_chf) == (
        "exported",
        EXECUTION,
        1,
        Decimal("113.33"),
    )
    assert (batch.created_by, batch.door, batch.debtor_iban) == (staff_user, "admin", "CH9300762011623852957")
    assert batch.sha256 == hashlib.sha256(xml).hexdigest()
    assert [e.text for e in root.xpath("//p:GrpHdr/p:NbOfTxs | //p:GrpHdr/p:CtrlSum", namespaces=NS)] == [
        "1",
        "113.33",
    ]
    assert root.xpath("string(//p:ReqdExctnDt/p:Dt)", namespaces=NS) == "2030-04-10"
    assert root.xpath("string(//p:Dbtr/p:Nm)", namespaces=NS) == "LEG Sonnenberg"
    payout = batch.payouts.get()
    assert (payout.participant.customer_number, payout.invoice.number, payout.amount_chf) == (
        "M5",
        5,
        Decimal("113.33"),
    )
    assert payout.creditor_name == "Müller & Söhne Energie AG, Zweigniederlassung Sonnenberg-Oberdorf (Kan"
    assert (payout.creditor_iban, payout.live, payout.settlement) == ("CH0209000000100013997", True, None)
    assert payout.remittance == f"Gutschrift {community_id}-000005 LEG Sonnenberg 03/2026"
    assert payout.end_to_end_id == f"OLEG-{community_id}-5-{batch.message_id[-8:]}"
    assert [e.text for e in root.xpath("//p:CdtTrfTxInf//*[not(*)]", namespaces=NS)] == [
        payout.end_to_end_id,
        payout.end_to_end_id,
        "113.33",
        payout.creditor_name,
        "Dorfstrasse",
        payout.participant.house_number,
        "8000",
        "Zürich",
        "CH",
        "CH0209000000100013997",
        payout.remittance,
    ]
    # exported is not paid: the credit stays open until the bank's execution is confirmed
    credit = item(payout_community, 5)
    assert open_amounts([credit.pk]) == {credit.pk: Decimal("-113.33")}


def test_the_batch_total_is_the_sum_of_its_transfers(payout_community):
    batch = create(payout_community)

    root = etree.fromstring(batch.file.read())
    amounts = [Decimal(e.text) for e in root.xpath("//p:InstdAmt", namespaces=NS)]
    assert amounts == [Decimal("14.30"), Decimal("113.33")]
    assert (
        sum(amounts)
        == batch.total_chf
        == Decimal("127.63")
        == Decimal(root.xpath("string(//p:GrpHdr/p:CtrlSum)", namespaces=NS))
    )
    assert batch.payout_count == 2 == int(root.xpath("string(//p:PmtInf/p:NbOfTxs)", namespaces=NS))


def test_the_same_credit_is_never_in_two_live_batches(payout_community):
    batch = create(payout_community)

    assert payouts_due(payout_community).payable == []
    error = refused(create, community=payout_community)
    assert error.message == "Für die LEG «LEG Sonnenberg» ist nichts auszuzahlen."
    first = batch.payouts.order_by("pk").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.create(
            batch=batch,
            participant=first.participant,
            invoice=first.invoice,
            amount_chf=first.amount_chf,
            end_to_end_id="OTHER-1",
            creditor_name="x",
            creditor_iban="x",
            remittance="x",
        )


def test_confirm_books_each_payout_so_the_credits_are_settled(payout_community, staff_user):
    batch = create(payout_community)

    batch = payout_batch_confirm(batch=batch, actor=staff_user, door="admin")

    assert (batch.status, batch.confirmed_by, batch.confirmed_door) == ("confirmed", staff_user, "admin")
    assert batch.confirmed_at is not None
    credits = [item(payout_community, 4), item(payout_community, 5)]
    assert open_amounts(c.pk for c in credits) == {credits[0].pk: Decimal("0.00"), credits[1].pk: Decimal("0.00")}
    settlements = list(
        Settlement.objects.order_by("invoice__number").values_list("invoice__number", "kind", "amount_chf")
    )
    assert settlements == [(4, "payout", Decimal("14.30")), (5, "payout", Decimal("113.33"))]
    settlement = Settlement.objects.get(invoice=credits[1])
    assert (settlement.booked_on, settlement.created_by, settlement.door, settlement.note) == (
        EXECUTION,
        staff_user,
        "admin",
        f"Auszahlung {batch.message_id}",
    )
    assert batch.payouts.get(invoice=credits[1]).settlement == settlement
    assert payouts_due(payout_community).payable == []


def test_confirm_twice_books_once(payout_community):
    batch = create(payout_community)
    payout_batch_confirm(batch=batch, actor=None, door="command")
    stale = PayoutBatch.objects.get(pk=batch.pk)

    again = payout_batch_confirm(batch=stale, actor=None, door="command")

    assert again.status == "confirmed"
    assert Settlement.objects.count() == 2
    assert sum(Settlement.objects.values_list("amount_chf", flat=True)) == Decimal("127.63")


def test_cancel_frees_the_credits_for_a_new_batch(payout_community, staff_user):
    batch = create(payout_community)

    batch = payout_batch_cancel(batch=batch, reason="Datei von der Bank abgelehnt", actor=staff_user, door="admin")

    assert (batch.status, batch.cancelled_by, batch.cancelled_door, batch.cancel_reason) == (
        "cancelled",
        staff_user,
        "admin",
        "Datei von der Bank abgelehnt",
    )
    assert list(batch.payouts.values_list("live", flat=True)) == [False, False]
    assert [d.amount for d in payouts_due(payout_community).payable] == [Decimal("14.30"), Decimal("113.33")]
    second = create(payout_community)
    assert (second.payout_count, second.total_chf) == (2, Decimal("127.63"))
    assert Settlement.objects.count() == 0
    error = refused(payout_batch_confirm, batch=batch, actor=None, door="admin")
    assert error.message == f"Die Auszahlung {batch.message_id} ist storniert und kann nicht bestätigt werden."


def test_a_confirmed_batch_cannot_be_cancelled_and_a_cancel_needs_a_reason(payout_community):
    batch = create(payout_community)
    error = refused(payout_batch_cancel, batch=batch, reason="  ", actor=None, door="admin")
    assert error.message == "Bitte geben Sie einen Grund für die Stornierung an."
    payout_batch_confirm(batch=batch, actor=None, door="admin")

    error = refused(payout_batch_cancel, batch=batch, reason="zu spät", actor=None, door="admin")

    assert error.message == (
        f"Die Auszahlung {batch.message_id} ist von der Bank ausgeführt und gebucht; sie kann nicht mehr "
        "storniert werden."
    )
    assert PayoutBatch.objects.get(pk=batch.pk).status == "confirmed"


def test_a_community_that_carries_credits_over_is_refused(payout_community):
    Community.objects.filter(pk=payout_community.pk).update(credit_handling="carry_over")
    community = Community.objects.get(pk=payout_community.pk)

    error = refused(create, community=community)

    assert (error.code, error.message) == (
        "carry_over_community",
        "Die LEG «LEG Sonnenberg» zahlt Guthaben nicht aus, sie verrechnet sie mit der nächsten Abrechnung "
        "(Einstellung «Guthaben»).",
    )
    assert payouts_due(community).payable == []
    assert PayoutBatch.objects.count() == 0


def test_a_qr_iban_is_never_debited(payout_community):
    Community.objects.filter(pk=payout_community.pk).update(iban=QR_IBAN)
    community = Community.objects.get(pk=payout_community.pk)

    error = refused(create, community=community)

    assert (error.code, error.message) == (
        "no_payout_account",
        "Die LEG «LEG Sonnenberg» hat kein Konto für Auszahlungen: ihre IBAN für Zahlungen CH4431999123000889012 "
        "ist eine QR-IBAN, von der nichts abgebucht werden kann. Bitte die gewöhnliche IBAN desselben Kontos unter "
        "«IBAN des Kontos für Auszahlungen» erfassen.",
    )
    Community.objects.filter(pk=community.pk).update(account_iban=QR_IBAN)
    error = refused(create, community=Community.objects.get(pk=community.pk))
    assert error.message == (
        "Das Konto für Auszahlungen der LEG «LEG Sonnenberg» ist nicht verwendbar: Die IBAN CH4431999123000889012 ist "
        "eine QR-IBAN: sie empfängt nur Zahlungen mit QR-Referenz. Für Auszahlungen braucht es die gewöhnliche IBAN "
        "des Kontos."
    )
    Community.objects.filter(pk=community.pk).update(account_iban="CH56 0483 5012 3456 7800 9")
    batch = create(Community.objects.get(pk=community.pk))
    assert batch.debtor_iban == "CH5604835012345678009"
    root = etree.fromstring(batch.file.read())
    assert root.xpath("string(//p:DbtrAcct/p:Id/p:IBAN)", namespaces=NS) == "CH5604835012345678009"
    assert root.xpath("string(//p:DbtrAgt//p:MmbId)", namespaces=NS) == "04835"
    assert PayoutBatch.objects.count() == 1


def test_a_community_without_any_iban_is_refused(payout_community):
    Community.objects.filter(pk=payout_community.pk).update(iban="")

    error = refused(create, community=Community.objects.get(pk=payout_community.pk))

    assert error.message == (
        "Die LEG «LEG Sonnenberg» hat kein Konto für Auszahlungen: bitte die IBAN für Zahlungen oder die IBAN des "
        "Kontos für Auszahlungen erfassen."
    )


def test_an_execution_date_in_the_past_is_refused(payout_community):
    error = refused(create, community=payout_community, execution_date=date(2020, 1, 31))

    assert (error.code, error.message) == (
        "execution_date_past",
        "Das Ausführungsdatum 31.01.2020 liegt in der Vergangenheit.",
    )


def test_an_overpaid_invoice_is_paid_back(payout_community):
    invoice = item(payout_community, 1)
    payment_book(invoice=invoice, amount=Decimal("120.00"), booked_on=date(2026, 4, 20), actor=None, door="import")
    for number, paid in [(2, Decimal("99.85")), (3, Decimal("102.46"))]:  # paid exactly, and a Rappen short
        payment_book(
            invoice=item(payout_community, number), amount=paid, booked_on=date(2026, 4, 20), actor=None, door="import"
        )

    due = payouts_due(payout_community)

    assert [(d.invoice.number, d.amount) for d in due.payable] == [
        (1, Decimal("19.53")),
        (4, Decimal("14.30")),
        (5, Decimal("113.33")),
    ]
    batch = create(payout_community)
    assert batch.payouts.get(invoice=invoice).remittance == (
        f"Rückzahlung Rechnung {payout_community.pk}-000001 LEG Sonnenberg 03/2026"
    )
    payout_batch_confirm(batch=batch, actor=None, door="command")
    assert open_amounts([invoice.pk]) == {invoice.pk: Decimal("0.00")}


def test_a_batch_that_loses_a_race_leaves_nothing_behind(payout_community, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path

    def taken_meanwhile(*args, **kwargs):
        raise IntegrityError("payout_item_once_live")

    monkeypatch.setattr(Payout.objects, "bulk_create", taken_meanwhile)

    error = refused(create, community=payout_community)

    assert (error.code, error.message) == (
        "already_in_batch",
        "Ein Guthaben ist inzwischen in einer anderen Auszahlung; bitte die Liste neu laden und erneut versuchen.",
    )
    assert (PayoutBatch.objects.count(), list(tmp_path.rglob("*.xml"))) == (0, [])


def test_the_default_execution_day_is_the_next_weekday():
    assert [next_business_day(date(2026, 4, day)) for day in (9, 10, 11, 12)] == [
        date(2026, 4, 10),
        date(2026, 4, 13),
        date(2026, 4, 13),
        date(2026, 4, 13),
    ]


def test_a_credit_note_of_a_paid_invoice_is_paid_back(payout_community):
    from billing.models import BillingRun
    from billing.services import billing_run_cancel

    invoice = item(payout_community, 1)
    payment_book(invoice=invoice, amount=Decimal("100.47"), booked_on=date(2026, 4, 20), actor=None, door="import")
    billing_run_cancel(run=BillingRun.objects.get(community=payout_community), actor=None, reason="Tarif falsch")

    due = payouts_due(payout_community)

    note = Invoice.objects.get(community=payout_community, corrects=invoice)
    assert [(d.invoice.kind, d.invoice.number, d.amount) for d in due.payable] == [
        ("credit_note", note.number, Decimal("100.47"))
    ]
    batch = create(payout_community)
    assert (
        batch.payouts.get().remittance
        == f"Rückzahlung Storno {payout_community.pk}-{note.number:06d} LEG Sonnenberg 03/2026"
    )


def test_a_credit_in_an_exported_payout_file_is_not_carried_over_when_the_setting_changes(payout_community):
    from billing.receivables import carry_overs

    assert create(payout_community).payout_count == 2
    payout_community.credit_handling = "carry_over"
    payout_community.save()
    participants = payout_community.participants.values_list("pk", flat=True)
    assert carry_overs(community=payout_community, participant_ids=participants) == {}
