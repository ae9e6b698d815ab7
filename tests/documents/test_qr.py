from base64 import b64decode
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from billing.models import Invoice, InvoiceKind
from billing.payment_slip import iban_problem
from documents.qr import QrBillError, payment_part

IBAN = "CH93 0076 2011 6238 5295 7"
QR_IBAN = "CH44 3199 9123 0008 8901 2"


def issuer(**changes) -> dict:
    return {
        "name": "LEG Sonnenberg",
        "street": "Dorfstrasse",
        "house_number": "1",
        "postcode": "5000",
        "town": "Sonnenberg",
        "country": "CH",
        "iban": IBAN,
        "vat_number": "",
        "representative": "Anna Ammann",
        **changes,
    }


def recipient(**changes) -> dict:
    return {
        "name": "Beat Keller",
        "street": "Bahnhofstrasse",
        "house_number": "12a",
        "postcode": "5001",
        "town": "Sonnenberg",
        "country": "CH",
        "email": "",
        **changes,
    }


def invoice(**changes) -> Invoice:
    """An invoice as issued, not saved: the QR-bill reads only its copied data."""
    fields = {
        "community_id": 7,
        "number": 42,
        "kind": InvoiceKind.INVOICE,
        "issued_at": datetime(2026, 4, 2, 8, tzinfo=UTC),
        "due_date": date(2026, 5, 2),
        "period_from": date(2026, 3, 1),
        "period_to": date(2026, 3, 31),
        "issuer": issuer(),
        "recipient": recipient(),
        "customer_number": "K00042",
        "subtotal_chf": Decimal("1234.50"),
        "vat_chf": Decimal("0.00"),
        "total_chf": Decimal("1234.50"),
    }
    return Invoice(**{**fields, **changes})


def test_the_qr_payload_with_a_creditor_reference():
    part = payment_part(invoice())

    assert part.reference == "RF8570000000042"
    assert part.qr_data == "\r\n".join(
        [
            "SPC",
            "0200",
            "1",
            "CH9300762011623852957",
            "S",
            "LEG Sonnenberg",
            "Dorfstrasse",
            "1",
            "5000",
            "Sonnenberg",
            "CH",
            *[""] * 7,
            "1234.50",
            "CHF",
            "S",
            "Beat Keller",
            "Bahnhofstrasse",
            "12a",
            "5001",
            "Sonnenberg",
            "CH",
            "SCOR",
            "RF8570000000042",
            "Rechnung 7-000042 LEG Sonnenberg, März 2026",
            "EPD",
        ]
    )


def test_a_qr_iban_gets_a_qr_reference_and_the_payment_part_its_printed_values():
    part = payment_part(invoice(issuer=issuer(iban=QR_IBAN), recipient=recipient(country="LI", postcode="9490")))

    assert part.reference == "000000000000000700000000421"
    assert "\r\nCH4431999123000889012\r\n" in part.qr_data
    assert "\r\nQRR\r\n000000000000000700000000421\r\n" in part.qr_data
    assert (part.account, part.reference_display) == ("CH44 3199 9123 0008 8901 2", "00 00000 00000 00070 00000 00421")
    assert part.creditor == ["LEG Sonnenberg", "Dorfstrasse 1", "CH-5000 Sonnenberg"]
    assert part.debtor == ["Beat Keller", "Bahnhofstrasse 12a", "LI-9490 Sonnenberg"]
    assert part.additional_information == "Rechnung 7-000042 LEG Sonnenberg, März 2026"
    assert (part.currency, part.amount) == ("CHF", "1 234.50")
    assert part.qr_png.startswith(b"\x89PNG\r\n\x1a\n")
    assert b64decode(part.qr_png_uri.removeprefix("data:image/png;base64,")) == part.qr_png


def test_long_address_lines_are_left_whole_for_the_layout_to_wrap():
    name = "Genossenschaft für erneuerbare Energie im oberen Sonnenberg und Umgebung"[:70]
    part = payment_part(invoice(recipient=recipient(name=name)))

    assert part.debtor[0] == name


def test_missing_address_parts_are_named():
    bill = invoice(issuer=issuer(house_number="", town=" "), recipient=recipient(postcode=""))

    with pytest.raises(QrBillError) as error:
        payment_part(bill)
    assert error.value.message == (
        "QR-Einzahlungsschein nicht möglich: In der Adresse der LEG «LEG Sonnenberg» fehlt: Hausnummer, Ort. "
        "In der Adresse von «Beat Keller» fehlt: Postleitzahl."
    )


def test_address_parts_longer_than_the_qr_bill_allows_are_named():
    with pytest.raises(QrBillError) as error:
        payment_part(invoice(recipient=recipient(street="S" * 200, name="N" * 71)))
    assert error.value.message == (
        f"QR-Einzahlungsschein nicht möglich: In der Adresse von «{'N' * 71}» ist zu lang: "
        "Name (höchstens 70 Zeichen), Strasse (höchstens 70 Zeichen)."
    )


@pytest.mark.parametrize(
    ("iban", "message"),
    [
        ("", "Die LEG hat keine IBAN für Zahlungen erfasst."),
        (
            "DE89 3704 0044 0532 0130 00",
            "Die IBAN DE89 3704 0044 0532 0130 00 ist keine Schweizer oder Liechtensteiner IBAN (CH oder LI).",
        ),
        (
            "CH93 0076 2011 6238 5295 8",
            "Die IBAN CH93 0076 2011 6238 5295 8 ist ungültig: Länge oder Prüfziffer stimmt nicht.",
        ),
        ("CH93 0076 2011", "Die IBAN CH93 0076 2011 ist ungültig: Länge oder Prüfziffer stimmt nicht."),
        (
            "CH93-0076-2011-6238-5295-7",
            "Die IBAN CH93-0076-2011-6238-5295-7 ist ungültig: Länge oder Prüfziffer stimmt nicht.",
        ),
    ],
)
def test_a_missing_foreign_or_malformed_iban_is_refused(iban, message):
    assert iban_problem(iban) == message
    with pytest.raises(QrBillError) as error:
        payment_part(invoice(issuer=issuer(iban=iban)))
    assert error.value.message == f"QR-Einzahlungsschein nicht möglich: {message}"


def test_an_iban_is_accepted_with_or_without_spaces_in_any_case():
    assert iban_problem("ch9300762011623852957") is None
    assert payment_part(invoice(issuer=issuer(iban="ch9300762011623852957"))).qr_data.split("\r\n")[3] == (
        "CH9300762011623852957"
    )


@pytest.mark.parametrize(
    ("kind", "total"),
    [
        (InvoiceKind.CREDIT_NOTE, Decimal("-1234.50")),
        (InvoiceKind.CREDIT_NOTE, Decimal("5.00")),
        (InvoiceKind.INVOICE, Decimal("0.00")),
        (InvoiceKind.INVOICE, Decimal("-3.20")),
    ],
)
def test_credit_notes_and_invoices_without_an_amount_due_have_no_payment_part(kind, total):
    bill = invoice(kind=kind, total_chf=total)
    with pytest.raises(QrBillError) as error:
        payment_part(bill)
    assert error.value.message == f"{bill} hat keinen Betrag zu bezahlen und daher keinen Einzahlungsschein."
