from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from payments.pain001 import (
    NAMESPACE,
    Address,
    Party,
    PaymentGroup,
    Transfer,
    amount_text,
    pain001_xml,
    permitted,
    sps_text,
)

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parents[1] / "fixtures" / "iso20022" / "pain.001.001.09.xsd")))
NS = {"p": NAMESPACE}
LONG_NAME = "Genossenschaft für erneuerbare Energie & Wärme Sonnenberg-Oberdorf und Umgebung (Verwaltung)"

DEBTOR = Party(
    name="LEG Sonnenberg",
    address=Address("Dorfstrasse", "1", "8000", "Zürich", "CH"),
    iban="CH93 0076 2011 6238 5295 7",
)


def creditor(name: str, iban: str = "CH5604835012345678009", number: str = "12") -> Party:
    return Party(name=name, address=Address("Bahnhofstrasse", number, "8001", "Zürich", "CH"), iban=iban)


def transfers() -> tuple[Transfer, ...]:
    return (
        Transfer("OLEG-7-42-AB12CD34", Decimal("12.35"), creditor("Jürg Müller-Lüthi"), "Gutschrift 7-000042"),
        Transfer("OLEG-7-43-AB12CD34", Decimal("0.05"), creditor(LONG_NAME, number=""), "Gutschrift 7-000043 & mehr"),
        Transfer(
            "OLEG-7-44-AB12CD34",
            Decimal("1234.50"),
            creditor("Ørsted Łódź 株式会社 Zoë\tBrontë"),
            "Rückerstattung Rechnung 7-000044 LEG Sonnenberg 03/2026 " + "x" * 200,
        ),
    )


def document(groups=None, **overrides) -> bytes:
    arguments = {
        "message_id": "OLEG-7-20260410-AB12CD34",
        "created_at": datetime(2026, 4, 9, 14, 30, 5, 123456, tzinfo=UTC),
        "initiating_party": "LEG Sonnenberg",
        "groups": groups or [PaymentGroup("OLEG-7-20260410-AB12CD34-1", DEBTOR, date(2026, 4, 10), transfers())],
    }
    return pain001_xml(**{**arguments, **overrides})


def texts(root, path: str) -> list[str]:
    return [element.text for element in root.xpath(path, namespaces=NS)]


def test_a_file_with_several_payouts_and_special_characters_is_valid_iso_20022():
    xml = document()
    root = etree.fromstring(xml)

    SCHEMA.assertValid(root)
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert texts(root, "//p:GrpHdr/p:MsgId | //p:GrpHdr/p:CreDtTm | //p:GrpHdr/p:NbOfTxs | //p:GrpHdr/p:CtrlSum") == [
        "OLEG-7-20260410-AB12CD34",
        "2026-04-09T16:30:05+02:00",
        "3",
        "1246.90",
    ]
    assert texts(root, "//p:GrpHdr/p:InitgPty/p:Nm") == ["LEG Sonnenberg"]
    assert texts(root, "//p:PmtInf/*[self::p:PmtInfId or self::p:PmtMtd or self::p:BtchBookg or self::p:NbOfTxs]") == [
        "OLEG-7-20260410-AB12CD34-1",
        "TRF",
        "true",
        "3",
    ]
    assert texts(root, "//p:PmtInf/p:CtrlSum | //p:ReqdExctnDt/p:Dt") == ["1246.90", "2026-04-10"]
    assert texts(root, "//p:Dbtr/p:Nm | //p:Dbtr/p:PstlAdr/*") == [
        "LEG Sonnenberg",
        "Dorfstrasse",
        "1",
        "8000",
        "Zürich",
        "CH",
    ]
    assert texts(root, "//p:DbtrAcct/p:Id/p:IBAN") == ["CH9300762011623852957"]
    assert texts(root, "//p:DbtrAgt/p:FinInstnId/p:ClrSysMmbId/*/p:Cd | //p:DbtrAgt//p:MmbId") == ["CHBCC", "00762"]
    assert texts(root, "//p:CdtTrfTxInf/p:PmtId/p:EndToEndId") == [
        "OLEG-7-42-AB12CD34",
        "OLEG-7-43-AB12CD34",
        "OLEG-7-44-AB12CD34",
    ]
    assert texts(root, "//p:CdtTrfTxInf/p:PmtId/p:InstrId") == texts(root, "//p:CdtTrfTxInf/p:PmtId/p:EndToEndId")
    assert texts(root, "//p:InstdAmt") == ["12.35", "0.05", "1234.50"]
    assert [e.get("Ccy") for e in root.xpath("//p:InstdAmt", namespaces=NS)] == ["CHF", "CHF", "CHF"]
    assert texts(root, "//p:Cdtr/p:Nm") == [
        "Jürg Müller-Lüthi",
        "Genossenschaft für erneuerbare Energie & Wärme Sonnenberg-Oberdorf und",
        "Ørsted Łódź Zoë Brontë",
    ]
    assert texts(root, "(//p:Cdtr)[1]/p:PstlAdr/*") == ["Bahnhofstrasse", "12", "8001", "Zürich", "CH"]
    assert texts(root, "(//p:Cdtr)[2]/p:PstlAdr/*") == ["Bahnhofstrasse", "8001", "Zürich", "CH"]  # no BldgNb
    assert texts(root, "//p:CdtrAcct/p:Id/p:IBAN") == ["CH5604835012345678009"] * 3
    ustrd = texts(root, "//p:RmtInf/p:Ustrd")
    assert ustrd[:2] == ["Gutschrift 7-000042", "Gutschrift 7-000043 & mehr"]
    assert len(ustrd[2]) == 140 and ustrd[2].startswith("Rückerstattung Rechnung 7-000044 LEG Sonnenberg 03/2026 xx")
    assert b"&amp; mehr" in xml
    assert root.xpath("//p:CdtrAgt", namespaces=NS) == []


def test_every_text_of_the_file_is_in_the_sps_character_set():
    root = etree.fromstring(document())
    for element in root.iter():
        assert all(permitted(char) for char in (element.text or "").strip()), element.text


def test_the_sps_character_set_keeps_latin_letters_and_drops_the_rest():
    assert sps_text("Straße 5 – «Hof» „Süd“ Ș€ ﬁ…", 70) == 'Straße 5 - «Hof» "Süd" Ș€ fi...'
    assert sps_text("Ǆemal Ǎrbe 株式会社", 70) == "DŽemal Arbe"
    assert sps_text("  Zeile\n zwei\t ", 70) == "Zeile zwei"
    assert sps_text("a" * 69 + " b", 70) == "a" * 69
    assert (permitted("\x07"), permitted("ÿ"), permitted("ž"), permitted("ǅ")) == (False, True, True, False)


def test_one_payment_group_per_debtor_account_and_execution_date_with_their_own_sums():
    other = Party(name="LEG Sonnenberg", address=DEBTOR.address, iban="CH5604835012345678009", bic="CRESCHZZ80A")
    first, second, third = transfers()
    groups = [
        PaymentGroup("P-1", DEBTOR, date(2026, 4, 10), (first, second)),
        PaymentGroup("P-2", other, date(2026, 4, 10), (third,), batch_booking=False),
    ]
    root = etree.fromstring(document(groups))

    SCHEMA.assertValid(root)
    assert texts(root, "//p:GrpHdr/p:NbOfTxs | //p:GrpHdr/p:CtrlSum") == ["3", "1246.90"]
    assert texts(root, "//p:PmtInf/p:NbOfTxs | //p:PmtInf/p:CtrlSum") == ["2", "12.40", "1", "1234.50"]
    assert texts(root, "//p:PmtInf/p:BtchBookg") == ["true", "false"]
    assert texts(root, "//p:DbtrAgt/p:FinInstnId/p:BICFI") == ["CRESCHZZ80A"]
    with pytest.raises(ValueError, match="one payment group per debtor account and execution date"):
        document([groups[0], PaymentGroup("P-3", DEBTOR, date(2026, 4, 10), (third,))])


def test_a_debtor_without_bic_or_swiss_iban_gets_the_agent_not_provided():
    foreign = Party(name="LEG", address=DEBTOR.address, iban="DE89370400440532013000")
    root = etree.fromstring(document([PaymentGroup("P-1", foreign, date(2026, 4, 10), transfers())]))

    SCHEMA.assertValid(root)
    assert texts(root, "//p:DbtrAgt/p:FinInstnId/p:Othr/p:Id") == ["NOTPROVIDED"]


@pytest.mark.parametrize("amount", [Decimal("0.00"), Decimal("-1.00"), Decimal("1.005")])
def test_an_amount_must_be_positive_whole_rappen(amount):
    with pytest.raises(ValueError, match="a transfer needs a positive CHF amount in whole Rappen"):
        amount_text(amount)


def test_amounts_are_written_with_two_decimals():
    assert (amount_text(Decimal("5")), amount_text(Decimal("0.1")), amount_text(Decimal("1234.50"))) == (
        "5.00",
        "0.10",
        "1234.50",
    )


def test_a_file_needs_transfers_unique_end_to_end_ids_and_an_aware_time():
    first = transfers()[0]
    with pytest.raises(ValueError, match="at least one transfer"):
        document([PaymentGroup("P-1", DEBTOR, date(2026, 4, 10), ())])
    with pytest.raises(ValueError, match="its own end-to-end id"):
        document([PaymentGroup("P-1", DEBTOR, date(2026, 4, 10), (first, first))])
    with pytest.raises(ValueError, match="aware"):
        document(created_at=datetime(2026, 4, 9, 14, 30))  # noqa: DTZ001
