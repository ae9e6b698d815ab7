"""Credit statements (Gutschrift), credit notes (Storno) and carried credits: every sentence true for the
community's credit handling, read back from the PDF."""

from datetime import date
from decimal import Decimal

import pytest

from billing.models import Invoice, InvoiceKind, SettlementKind
from billing.receivables import payment_book, settlement_book
from billing.services import billing_run_approve, billing_run_cancel, billing_run_start
from communities.models import CreditHandling, Participant
from documents.invoice_pdf import invoice_html, masked_iban
from documents.pdf import html_to_pdf
from tests.billing.conftest import march_community  # noqa: F401  (five members, March 2026)
from tests.documents.pdftext import pdf_pages

pytestmark = pytest.mark.django_db

IBAN = "CH93 0076 2011 6238 5295 7"
PAYOUT_IBAN = "CH56 0483 5012 3456 7800 9"
NO_IBAN = "Bitte teilen Sie uns Ihre Bankverbindung (IBAN) mit, damit wir das Guthaben auszahlen können."


def lines_of(invoice: Invoice) -> list[str]:
    return [line for page in pdf_pages(html_to_pdf(invoice_html(invoice))) for line in page.splitlines()]


def issue(community, staff_user, *, handling) -> list[Invoice]:
    community.iban = IBAN
    community.credit_handling = handling
    community.save()
    run = billing_run_start(community=community, year=2026, month=3)
    billing_run_approve(run=run, actor=staff_user)
    return list(Invoice.objects.filter(run=run).order_by("number"))


def test_the_iban_is_masked_but_for_its_first_and_last_four_characters():
    assert masked_iban(PAYOUT_IBAN) == "CH56 **** **** **** *800 9"


def test_a_credit_statement_that_is_paid_out_names_the_account(march_community, staff_user):  # noqa: F811
    Participant.objects.filter(community=march_community, customer_number="M5").update(
        iban=PAYOUT_IBAN, account_holder="Sonnenkraft AG"
    )
    producer = issue(march_community, staff_user, handling=CreditHandling.PAYOUT)[4]
    lines = lines_of(producer)

    assert producer.kind == InvoiceKind.CREDIT_STATEMENT
    assert lines[6] == f"Gutschrift {producer.display_number}"
    assert lines[lines.index("Bezeichnung Menge Preis Guthaben CHF") + 1 :] == [
        "Gutschrift LEG-Lieferung Niedertarif 604.737 kWh 11.00 Rp./kWh 66.52",
        "Gutschrift LEG-Lieferung Hochtarif 379.293 kWh 13.00 Rp./kWh 49.31",
        "Verwaltungsgebühr -2.50",
        "Ihr Guthaben 113.33",
        "Zur Information (nicht verrechnet)",
        "Gesamtproduktion 1'329.259 kWh",
        "Überschuss, wird vom Netzbetreiber vergütet 345.229 kWh",
        "Ihr Guthaben von CHF 113.33 überweisen wir innert 30 Tagen auf das Konto CH56 **** **** **** *800 9 "
        "(lautend auf",
        "Sonnenkraft AG).",
        "1 / 1",
    ]
    assert not any(line.startswith("Zahlbar bis") or line == "Zahlteil" for line in lines)


def test_a_credit_statement_to_be_paid_out_without_an_iban_asks_for_it(march_community, staff_user):  # noqa: F811
    producer = issue(march_community, staff_user, handling=CreditHandling.PAYOUT)[4]
    text = " ".join(lines_of(producer))

    assert f"Ihr Guthaben von CHF 113.33 wird Ihnen ausbezahlt. {NO_IBAN}" in text


def test_a_credit_statement_carried_over_says_so(march_community, staff_user):  # noqa: F811
    producer = issue(march_community, staff_user, handling=CreditHandling.CARRY_OVER)[4]
    lines = lines_of(producer)

    assert "Ihr Guthaben von CHF 113.33 wird mit Ihrer nächsten Abrechnung verrechnet." in lines
    assert not any("ausbezahlt" in line or "überweisen" in line for line in lines)


def test_carried_credits_stand_between_the_charges_and_the_total(march_community, staff_user):  # noqa: F811
    march = issue(march_community, staff_user, handling=CreditHandling.CARRY_OVER)[0]
    # M1 pays CHF 1.00 too much for March: April's invoice offsets it
    payment_book(invoice=march, amount=Decimal("101.47"), booked_on=date(2026, 4, 20), actor=None, door="test")
    april = billing_run_start(community=march_community, year=2026, month=4)
    billing_run_approve(run=april, actor=staff_user, reason="keine Messdaten im April", override_missing=True)
    invoice = Invoice.objects.get(run=april, participant__customer_number="M1")
    lines = lines_of(invoice)

    assert (invoice.carried_chf, invoice.total_chf) == (Decimal("-1.00"), Decimal("1.50"))
    start = lines.index("Verwaltungsgebühr 2.50")
    assert lines[start + 1 : start + 4] == [
        "Zwischensumme 2.50",
        f"Guthaben aus Rechnung {march.display_number} -1.00",
        "Total 1.50",
    ]
    due = f"{invoice.due_date:%d.%m.%Y}"
    assert f"Bitte bezahlen Sie CHF 1.50 bis am {due} mit dem QR-Einzahlungsschein unten." in lines


def test_a_credit_note_of_an_unpaid_invoice_says_nothing_is_owed(march_community, staff_user):  # noqa: F811
    invoices = issue(march_community, staff_user, handling=CreditHandling.PAYOUT)
    billing_run_cancel(run=invoices[0].run, actor=staff_user, reason="Falscher Tarif")
    note = Invoice.objects.get(corrects=invoices[0])
    lines = lines_of(note)

    assert f"Storno {note.display_number}" in lines
    assert f"Storniert Rechnung {invoices[0].display_number}" in lines
    assert "LEG-Strom Niedertarif 301.176 kWh 18.50 Rp./kWh 55.72" in lines
    assert "Ihr Guthaben 100.47" in lines
    assert f"Die Rechnung {invoices[0].display_number} ist damit aufgehoben; Sie müssen sie nicht bezahlen." in lines
    assert "Grund der Stornierung: Falscher Tarif" in lines
    assert "Zahlteil" not in lines


def test_a_credit_note_of_a_paid_invoice_returns_the_payment_as_set(march_community, staff_user):  # noqa: F811
    invoices = issue(march_community, staff_user, handling=CreditHandling.CARRY_OVER)
    payment_book(invoice=invoices[0], amount=Decimal("100.47"), booked_on=date(2026, 4, 20), actor=None, door="test")
    billing_run_cancel(run=invoices[0].run, actor=staff_user, reason="Falscher Tarif")
    note = Invoice.objects.get(corrects=invoices[0])

    assert (
        f"Ihre Zahlung an die Rechnung {invoices[0].display_number} von CHF 100.47 wird mit Ihrer nächsten "
        "Abrechnung verrechnet."
    ) in " ".join(lines_of(note))


def test_a_credit_note_of_a_credit_statement_not_yet_paid_out(march_community, staff_user):  # noqa: F811
    invoices = issue(march_community, staff_user, handling=CreditHandling.PAYOUT)
    billing_run_cancel(run=invoices[0].run, actor=staff_user, reason="Falscher Tarif")
    note = Invoice.objects.get(corrects=invoices[4])
    lines = lines_of(note)

    assert "Total 113.33" in lines
    assert f"Die Gutschrift {invoices[4].display_number} ist damit aufgehoben und wird nicht ausbezahlt." in lines


def test_a_credit_note_of_a_credit_statement_already_paid_out_asks_it_back(march_community, staff_user):  # noqa: F811
    invoices = issue(march_community, staff_user, handling=CreditHandling.PAYOUT)
    credit = invoices[4]
    settlement_book(
        invoice=credit,
        kind=SettlementKind.PAYOUT,
        amount=-credit.total_chf,
        booked_on=date(2026, 4, 30),
        actor=None,
        door="test",
    )
    billing_run_cancel(run=credit.run, actor=staff_user, reason="Falscher Tarif")
    note = Invoice.objects.get(corrects=credit)

    assert (
        f"Die Gutschrift {credit.display_number} wurde bereits ausgeglichen; CHF 113.33 werden mit Ihrer nächsten "
        "Abrechnung verrechnet."
    ) in " ".join(lines_of(note))
