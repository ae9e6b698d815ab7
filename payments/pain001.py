"""ISO 20022 pain.001.001.09 customer credit transfer initiation, as the Swiss Payment Standards 2022 use it.

Pure: no Django, no models. The caller passes plain values; the writer groups the transfers into one ``PmtInf`` per
debtor account and execution date, adds up ``NbOfTxs`` and ``CtrlSum`` and returns the UTF-8 bytes of the file.

Swiss rules applied beside the ISO schema:
- text is limited to the SPS character set (Basic Latin, Latin-1 Supplement, Latin Extended-A, Ș ș Ț ț and €);
  typographic quotes and dashes become plain ones, other characters their compatible or unaccented permitted
  letters where there are such, and are dropped otherwise;
- names are cut to 70 characters (SPS), address parts and texts to the schema's maxima;
- addresses are structured (street, building number, postcode, town, country), as SPS 2022 asks;
- the debtor agent is the BIC when known, else the Swiss institution id (IID, clearing system ``CHBCC``) that a
  Swiss or Liechtenstein IBAN carries in its positions 5 to 9, else ``Othr/Id NOTPROVIDED``;
- a domestic transfer to a CH or LI IBAN needs no creditor agent: the bank finds it from the IBAN.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from lxml import etree

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
SWISS_TIME = ZoneInfo("Europe/Zurich")
NAME_MAX = 70  # SPS: names of parties, shorter than the schema's 140
ID_MAX = 35
REMITTANCE_MAX = 140
_RAPPEN = Decimal("0.01")
_SWISS_IBAN_COUNTRIES = ("CH", "LI")
_EXTRA_CHARACTERS = frozenset("ȘșȚț€")
_WHITESPACE = re.compile(r"\s+")
_PUNCTUATION = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-"})


@dataclass(frozen=True)
class Address:
    street: str
    building_number: str
    postcode: str
    town: str
    country: str


@dataclass(frozen=True)
class Party:
    """A debtor or creditor: name, structured address and account."""

    name: str
    address: Address
    iban: str
    bic: str = ""


@dataclass(frozen=True)
class Transfer:
    end_to_end_id: str
    amount: Decimal
    creditor: Party
    remittance: str


@dataclass(frozen=True)
class PaymentGroup:
    """The transfers debited from one account on one execution date: one ``PmtInf``."""

    payment_id: str
    debtor: Party
    execution_date: date
    transfers: tuple[Transfer, ...]
    batch_booking: bool = True


def permitted(char: str) -> bool:
    """Whether the SPS 2022 character set holds ``char`` (control characters are not text)."""
    code = ord(char)
    return 0x20 <= code <= 0x7E or 0xA0 <= code <= 0x17F or char in _EXTRA_CHARACTERS


def sps_text(value: str, max_length: int) -> str:
    """``value`` in the SPS character set, whitespace collapsed, cut to ``max_length`` characters."""
    kept = []
    for char in unicodedata.normalize("NFC", value).translate(_PUNCTUATION):
        compatible = unicodedata.normalize("NFKC", char)
        if char.isspace():
            kept.append(" ")
        elif permitted(char):
            kept.append(char)
        elif all(permitted(part) for part in compatible):
            kept.append(compatible)  # ligatures, full-width letters, … as their plain letters
        else:
            kept.extend(part for part in unicodedata.normalize("NFKD", char) if permitted(part))
    text = _WHITESPACE.sub(" ", "".join(kept)).strip()
    return text[:max_length].rstrip()


def amount_text(amount: Decimal) -> str:
    """An amount as the file carries it: exactly two decimals, refused unless a positive whole Rappen amount."""
    if not isinstance(amount, Decimal) or amount <= 0 or amount.quantize(_RAPPEN) != amount:
        raise ValueError(f"a transfer needs a positive CHF amount in whole Rappen, got {amount!r}")
    return str(amount.quantize(_RAPPEN))


def _compact_iban(iban: str) -> str:
    return iban.replace(" ", "").upper()


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", **attributes)
    if text is not None:
        element.text = text
    return element


def _optional(parent: etree._Element, tag: str, value: str, max_length: int) -> None:
    text = sps_text(value, max_length)
    if text:  # the schema's texts have at least one character
        _sub(parent, tag, text)


def _party(parent: etree._Element, tag: str, party: Party) -> None:
    element = _sub(parent, tag)
    _sub(element, "Nm", sps_text(party.name, NAME_MAX))
    address = _sub(element, "PstlAdr")
    _optional(address, "StrtNm", party.address.street, 70)
    _optional(address, "BldgNb", party.address.building_number, 16)
    _optional(address, "PstCd", party.address.postcode, 16)
    _optional(address, "TwnNm", party.address.town, 35)
    _sub(address, "Ctry", party.address.country.upper())


def _account(parent: etree._Element, tag: str, iban: str) -> None:
    _sub(_sub(_sub(parent, tag), "Id"), "IBAN", _compact_iban(iban))


def _debtor_agent(parent: etree._Element, debtor: Party) -> None:
    institution = _sub(_sub(parent, "DbtrAgt"), "FinInstnId")
    iban = _compact_iban(debtor.iban)
    if debtor.bic:
        _sub(institution, "BICFI", debtor.bic.replace(" ", "").upper())
    elif iban[:2] in _SWISS_IBAN_COUNTRIES:
        member = _sub(institution, "ClrSysMmbId")
        _sub(_sub(member, "ClrSysId"), "Cd", "CHBCC")
        _sub(member, "MmbId", iban[4:9])
    else:
        _sub(_sub(institution, "Othr"), "Id", "NOTPROVIDED")


def _control_sum(transfers: Iterable[Transfer]) -> Decimal:
    return sum((transfer.amount for transfer in transfers), Decimal("0.00"))


def pain001_xml(
    *, message_id: str, created_at: datetime, initiating_party: str, groups: Iterable[PaymentGroup]
) -> bytes:
    """The pain.001.001.09 document for ``groups``; ``created_at`` must be aware (written as Swiss local time)."""
    groups = tuple(groups)
    transfers = [transfer for group in groups for transfer in group.transfers]
    if not transfers or any(not group.transfers for group in groups):
        raise ValueError("a payment order needs at least one transfer in every payment group")
    if created_at.tzinfo is None:
        raise ValueError("created_at must be an aware datetime")
    accounts = [(_compact_iban(group.debtor.iban), group.execution_date) for group in groups]
    if len(set(accounts)) != len(accounts):
        raise ValueError("one payment group per debtor account and execution date")
    end_to_end_ids = [transfer.end_to_end_id for transfer in transfers]
    if len(set(end_to_end_ids)) != len(end_to_end_ids):
        raise ValueError("every transfer needs its own end-to-end id")

    document = etree.Element(f"{{{NAMESPACE}}}Document", nsmap={None: NAMESPACE})
    initiation = _sub(document, "CstmrCdtTrfInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", sps_text(message_id, ID_MAX))
    _sub(header, "CreDtTm", created_at.astimezone(SWISS_TIME).replace(microsecond=0).isoformat())
    _sub(header, "NbOfTxs", str(len(transfers)))
    _sub(header, "CtrlSum", amount_text(_control_sum(transfers)))
    _sub(_sub(header, "InitgPty"), "Nm", sps_text(initiating_party, NAME_MAX))

    for group in groups:
        payment = _sub(initiation, "PmtInf")
        _sub(payment, "PmtInfId", sps_text(group.payment_id, ID_MAX))
        _sub(payment, "PmtMtd", "TRF")
        _sub(payment, "BtchBookg", "true" if group.batch_booking else "false")
        _sub(payment, "NbOfTxs", str(len(group.transfers)))
        _sub(payment, "CtrlSum", amount_text(_control_sum(group.transfers)))
        _sub(_sub(payment, "ReqdExctnDt"), "Dt", group.execution_date.isoformat())
        _party(payment, "Dbtr", group.debtor)
        _account(payment, "DbtrAcct", group.debtor.iban)
        _debtor_agent(payment, group.debtor)
        for transfer in group.transfers:
            transaction = _sub(payment, "CdtTrfTxInf")
            payment_id = _sub(transaction, "PmtId")
            _sub(payment_id, "InstrId", sps_text(transfer.end_to_end_id, ID_MAX))
            _sub(payment_id, "EndToEndId", sps_text(transfer.end_to_end_id, ID_MAX))
            _sub(_sub(transaction, "Amt"), "InstdAmt", amount_text(transfer.amount), Ccy="CHF")
            _party(transaction, "Cdtr", transfer.creditor)
            _account(transaction, "CdtrAcct", transfer.creditor.iban)
            remittance = sps_text(transfer.remittance, REMITTANCE_MAX)
            if remittance:
                _sub(_sub(transaction, "RmtInf"), "Ustrd", remittance)
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)
