from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from payments import camt
from payments.camt import CamtError, CamtTransaction

BANK = Path(__file__).resolve().parents[2] / "fixtures" / "bank"


def read(name: str) -> camt.CamtDocument:
    return camt.parse((BANK / name).read_bytes())


def refusal(data: bytes) -> CamtError:
    with pytest.raises(CamtError) as caught:
        camt.parse(data)
    return caught.value


def test_camt054_v08_with_a_batch_booking_a_pending_credit_a_debit_and_an_entry_without_details():
    document = read("camt054-v08.xml")
    assert (document.kind, document.version, document.message_id) == ("camt.054", "001.08", "20260402-054-0001")
    assert document.created_at == datetime(2026, 4, 2, 4, 15, tzinfo=UTC)
    [report] = document.reports
    assert report.account_iban == "CH5730000123456789012"
    batch, pending, debit, bare = report.entries
    assert (batch.amount, batch.currency, batch.credit_debit, batch.status) == (
        Decimal("250.40"),
        "CHF",
        "CRDT",
        "BOOK",
    )
    assert (batch.booking_date, batch.value_date) == (date(2026, 4, 1), date(2026, 4, 1))
    assert (batch.entry_ref, batch.account_servicer_ref, batch.line) == ("BATCH-1", "ENTRY-0001", 15)
    assert batch.transactions == (
        CamtTransaction(
            index=1,
            line=25,
            amount=Decimal("100.40"),
            currency="CHF",
            account_servicer_ref="TX-0001",
            end_to_end_id="NOTPROVIDED",
            reference="000000000000000700000000421",
            reference_type="QRR",
            unstructured="",
            debtor_name="Anna Muster",
            debtor_iban="CH9300762011623852957",
        ),
        CamtTransaction(
            index=2,
            line=45,
            amount=Decimal("150.00"),
            currency="CHF",
            account_servicer_ref="TX-0002",
            end_to_end_id="",
            reference="RF5870000000043",
            reference_type="SCOR",
            unstructured="Rechnung März",
            debtor_name="Beat Beispiel",
            debtor_iban="",
        ),
    )
    assert (pending.status, pending.booking_date, pending.value_date) == ("PDNG", None, date(2026, 4, 3))
    assert pending.transactions[0].unstructured == "Akonto"
    assert (debit.credit_debit, debit.is_credit, debit.amount) == ("DBIT", False, Decimal("55.10"))
    assert debit.booking_date == date(2026, 4, 2)  # 23:30 UTC is the 2nd in Zurich
    assert debit.transactions[0].end_to_end_id == "PAYOUT-7-1"
    assert bare.transactions == (CamtTransaction(1, 94, Decimal("12.35"), "CHF", "", "", "", "", "", "", ""),)


def test_camt054_v04_reads_the_status_as_text_and_the_debtor_name_directly_under_dbtr():
    document = read("camt054-v04.xml")
    assert (document.kind, document.version, document.message_id) == ("camt.054", "001.04", "OLD-054-7")
    assert document.created_at == datetime(2026, 4, 2, 5, 0, tzinfo=UTC)  # no offset: Swiss local time
    [entry] = document.entries
    assert (entry.status, entry.booking_date, entry.value_date) == ("BOOK", date(2026, 3, 31), date(2026, 4, 1))
    [transaction] = entry.transactions
    assert (transaction.debtor_name, transaction.debtor_iban) == ("Claudia Probst", "CH1000700110000204713")
    assert (transaction.reference, transaction.reference_type, transaction.end_to_end_id) == (
        "RF5870000000043",
        "SCOR",
        "E2E-77",
    )
    assert document.reports[0].account_iban == "CH9300762011623852957"


def test_camt053_v08_is_a_statement_with_the_same_entries():
    document = read("camt053-v08.xml")
    assert (document.kind, document.version, document.message_id) == ("camt.053", "001.08", "20260402-053-0001")
    assert [entry.amount for entry in document.entries] == [
        Decimal("250.40"),
        Decimal("80.00"),
        Decimal("55.10"),
        Decimal("12.35"),
    ]


def test_a_doctype_with_an_entity_that_would_read_etc_passwd_is_refused_before_parsing():
    error = refusal((BANK / "xxe.xml").read_bytes())
    assert error.code == "doctype_forbidden"
    assert error.message == (
        "Die Datei enthält in Zeile 2 eine DOCTYPE- oder ENTITY-Deklaration. Bankdateien haben keine; "
        "die Datei wird aus Sicherheitsgründen nicht gelesen."
    )


def test_a_doctype_in_utf16_is_refused_too():
    data = (BANK / "xxe.xml").read_text().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert refusal(data).code == "doctype_forbidden"


def test_an_xml_file_that_is_not_camt():
    error = refusal(b'<?xml version="1.0"?>\n<ValidatedMeteredData_16 xmlns="http://www.strom.ch"/>')
    assert error.message == (
        "Die Datei ist keine camt.053- oder camt.054-Datei: das Wurzelelement ist «ValidatedMeteredData_16» (Zeile 2)."
    )


def test_a_camt052_is_not_read():
    error = refusal(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"/>')
    assert error.message == (
        "Die Datei ist keine camt.053- oder camt.054-Datei: Namensraum "
        "«urn:iso:std:iso:20022:tech:xsd:camt.052.001.08» (Zeile 1)."
    )


def test_an_unsupported_version():
    error = refusal(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"/>')
    assert error.code == "unsupported_version"
    assert error.message == (
        "camt.054 in der Version 001.02 wird nicht unterstützt; gelesen werden die Versionen 001.08 (SPS 2022) "
        "und 001.04 (Zeile 1)."
    )


def test_broken_xml_names_the_line():
    data = (BANK / "camt054-v04.xml").read_bytes().replace(b"</Amt>", b"</Amount>", 1)
    error = refusal(data)
    assert (error.code, error.line) == ("xml_syntax", 13)
    assert error.message.startswith("Die XML-Datei ist in Zeile 13 fehlerhaft: ")


def test_an_empty_file_and_a_too_large_file():
    assert refusal(b"  \n").message == "Die Datei ist leer."
    with pytest.raises(CamtError) as caught:
        camt.parse(b"<Document/>", max_bytes=5)
    assert caught.value.message == "Die Datei ist 11 Bytes gross; angenommen werden höchstens 5 Bytes."


def test_a_missing_account_is_named_with_its_line():
    data = (BANK / "camt054-v04.xml").read_bytes().replace(b"<IBAN>CH93 0076 2011 6238 5295 7</IBAN>", b"")
    assert refusal(data).message == "Das Element Acct/Id/IBAN fehlt in Ntfctn (Zeile 9)."


def test_a_booked_entry_without_booking_date_is_refused():
    data = (BANK / "camt054-v04.xml").read_bytes().replace(b"<BookgDt><Dt>2026-03-31</Dt></BookgDt>", b"")
    assert refusal(data).message == "Das Element BookgDt/Dt fehlt in Ntry (Zeile 12)."


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b'<Amt Ccy="CHF">99.95</Amt>', b'<Amt Ccy="CHF">99,95</Amt>', "Der Betrag «99,95» in Zeile 13 ist ungültig."),
        (b'<Amt Ccy="CHF">99.95</Amt>', b'<Amt Ccy="CHF">-5</Amt>', "Der Betrag «-5» in Zeile 13 ist ungültig."),
        (b'<Amt Ccy="CHF">99.95</Amt>', b"<Amt>99.95</Amt>", "Die Währung «» in Zeile 13 ist ungültig."),
        (b"<Dt>2026-03-31</Dt>", b"<Dt>31.03.2026</Dt>", "Das Datum «31.03.2026» in Zeile 16 ist ungültig."),
        (
            b"<CreDtTm>2026-04-02T07:00:00</CreDtTm>",
            b"<CreDtTm>gestern</CreDtTm>",
            "Das Datum «gestern» in Zeile 7 ist ungültig.",
        ),
    ],
)
def test_bad_amounts_and_dates_name_value_and_line(old, new, message):
    data = (BANK / "camt054-v04.xml").read_bytes().replace(old, new, 1)
    assert refusal(data).message == message
