import pytest

from billing.references import (
    InvoiceKey,
    creditor_reference,
    invoice_key,
    invoice_reference,
    mod10_recursive,
    qr_reference,
)
from openleg.iban import is_qr_iban, payout_iban_error, swiss_iban_error

IBAN = "CH9300762011623852957"
QR_IBAN = "CH4431999123000889012"


def test_qr_reference_check_digit_is_the_recursive_modulo_10():
    # the example reference of the SIX implementation guidelines
    assert mod10_recursive("21000000000313947143000901") == 7
    assert qr_reference("21000000000313947143000901") == "210000000003139471430009017"
    assert qr_reference("70000000042") == "000000000000000700000000421"  # python-stdnum agrees
    assert mod10_recursive("00000000000000000000000000") == 0


def test_creditor_reference_check_digits_follow_iso_11649():
    assert creditor_reference("539007547034") == "RF18539007547034"  # the example of ISO 11649
    assert creditor_reference("70000000042") == "RF8570000000042"


def test_the_reference_depends_on_the_iban_and_is_unique_per_community_and_number():
    assert is_qr_iban(QR_IBAN) and not is_qr_iban(IBAN)
    assert invoice_reference(community_id=7, number=42, iban=IBAN) == "RF8570000000042"
    assert invoice_reference(community_id=7, number=42, iban=QR_IBAN) == "000000000000000700000000421"
    # community 7 number 42 and community 70 number 42 never meet
    assert invoice_reference(community_id=70, number=42, iban=IBAN) == "RF59700000000042"


@pytest.mark.parametrize("iban", [IBAN, QR_IBAN])
@pytest.mark.parametrize(("community_id", "number"), [(7, 42), (70, 42), (1, 1), (123456, 9_999_999_999)])
def test_a_reference_is_read_back_to_its_community_and_number(iban, community_id, number):
    reference = invoice_reference(community_id=community_id, number=number, iban=iban)
    assert invoice_key(reference) == InvoiceKey(community_id, number)
    spaced = " ".join(reference[i : i + 4] for i in range(0, len(reference), 4)).lower()
    assert invoice_key(spaced) == InvoiceKey(community_id, number)


@pytest.mark.parametrize(
    "reference",
    [
        "",
        "RF8570000000043",  # check digits do not fit
        "000000000000000700000000422",  # QR check digit wrong
        "RF7812345",  # valid ISO 11649, body too short for a community and a ten-digit number
        "000000000000000000000000000",
        "12345",
        "RFXX70000000042",
    ],
)
def test_references_that_name_no_invoice_of_ours(reference):
    assert invoice_key(reference) is None


def test_a_well_formed_foreign_reference_is_read_and_left_to_the_lookup():
    # references of other creditors have valid check digits: they name an invoice key that the matching then
    # fails to find
    assert invoice_key("210000000003139471430009017") == InvoiceKey(2100000000031394, 7143000901)
    assert invoice_key("RF18539007547034") == InvoiceKey(53, 9007547034)


def test_payout_ibans_must_be_valid_and_not_qr_ibans():
    assert swiss_iban_error(IBAN) is None
    assert payout_iban_error("ch93 0076 2011 6238 5295 7") is None
    assert payout_iban_error(QR_IBAN) == (
        "Die IBAN CH4431999123000889012 ist eine QR-IBAN: sie empfängt nur Zahlungen mit QR-Referenz. Für "
        "Auszahlungen braucht es die gewöhnliche IBAN des Kontos."
    )
    assert payout_iban_error("DE89370400440532013000") == (
        "Die IBAN DE89370400440532013000 ist keine Schweizer oder Liechtensteiner IBAN (CH oder LI)."
    )
    assert payout_iban_error("CH9300762011623852958") == (
        "Die IBAN CH9300762011623852958 ist ungültig: Länge oder Prüfziffer stimmt nicht."
    )
