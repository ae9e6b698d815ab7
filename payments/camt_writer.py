"""camt.054 and camt.053 files written the way Swiss banks write them (SPS 2022 v08, or the older v04): a
notification or statement of one account, entries with one or more transactions, credits (money in, with the
debtor) and debits (money out, with the creditor and the end-to-end id of the order).

Pure: no models, no settings. One writer for the tests, the benchmark and the demo bank file
(``payments.demo``); what it writes is read back by ``payments.camt``.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape


@dataclass
class Tx:
    amount: Decimal
    reference: str = ""
    reference_type: str = "QRR"  # QRR (Prtry) or SCOR (Cd)
    debtor: str = ""
    debtor_iban: str = ""
    servicer_ref: str = ""
    end_to_end: str = ""
    unstructured: str = ""
    creditor: str = ""  # debits: who received the money
    creditor_iban: str = ""


@dataclass
class Entry:
    transactions: list[Tx]
    booked: str = "2026-04-02"
    credit: bool = True
    status: str = "BOOK"
    servicer_ref: str = ""
    amount: Decimal | None = None  # the entry's total; the transactions' sum when None
    details: bool = True  # False: an entry without TxDtls (the entry is the transaction)
    currency: str = "CHF"


@dataclass
class Report:
    """A further notification or statement in the same file: another account of the same customer (for instance
    the ordinary IBAN beside the QR-IBAN that receives QR-bill payments)."""

    account: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class CamtFile:
    account: str
    entries: list[Entry] = field(default_factory=list)
    kind: str = "054"
    version: str = "001.08"
    message_id: str = "MSG-1"
    created: str = "2026-04-02T06:15:00+02:00"
    more_reports: list[Report] = field(default_factory=list)


def _party(tx: Tx, version: str) -> str:
    parts = [
        _one_party("Dbtr", tx.debtor, tx.debtor_iban, version),
        _one_party("Cdtr", tx.creditor, tx.creditor_iban, version),
    ]
    return f"<RltdPties>{''.join(parts)}</RltdPties>" if any(parts) else ""


def _one_party(role: str, name: str, iban: str, version: str) -> str:
    text = ""
    if name:
        text = f"<Nm>{escape(name)}</Nm>"
        text = f"<{role}><Pty>{text}</Pty></{role}>" if version == "001.08" else f"<{role}>{text}</{role}>"
    account = f"<{role}Acct><Id><IBAN>{iban}</IBAN></Id></{role}Acct>" if iban else ""
    return text + account


def _remittance(tx: Tx) -> str:
    parts = []
    if tx.unstructured:
        parts.append(f"<Ustrd>{escape(tx.unstructured)}</Ustrd>")
    if tx.reference:
        code = f"<Prtry>{tx.reference_type}</Prtry>" if tx.reference_type != "SCOR" else "<Cd>SCOR</Cd>"
        parts.append(
            f"<Strd><CdtrRefInf><Tp><CdOrPrtry>{code}</CdOrPrtry></Tp><Ref>{tx.reference}</Ref></CdtrRefInf></Strd>"
        )
    return f"<RmtInf>{''.join(parts)}</RmtInf>" if parts else ""


def _transaction(tx: Tx, entry: Entry, version: str) -> str:
    refs = ""
    if tx.servicer_ref or tx.end_to_end:
        refs = "<Refs>"
        refs += f"<AcctSvcrRef>{tx.servicer_ref}</AcctSvcrRef>" if tx.servicer_ref else ""
        refs += f"<EndToEndId>{tx.end_to_end}</EndToEndId>" if tx.end_to_end else ""
        refs += "</Refs>"
    indicator = "CRDT" if entry.credit else "DBIT"
    return (
        f'<TxDtls>{refs}<Amt Ccy="{entry.currency}">{tx.amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
        f"{_party(tx, version)}{_remittance(tx)}</TxDtls>"
    )


def _entry(entry: Entry, version: str) -> str:
    amount = entry.amount if entry.amount is not None else sum((tx.amount for tx in entry.transactions), Decimal(0))
    status = f"<Sts><Cd>{entry.status}</Cd></Sts>" if version == "001.08" else f"<Sts>{entry.status}</Sts>"
    booked = f"<BookgDt><Dt>{entry.booked}</Dt></BookgDt>" if entry.booked else ""
    value = f"<ValDt><Dt>{entry.booked}</Dt></ValDt>" if entry.booked else ""
    servicer = f"<AcctSvcrRef>{entry.servicer_ref}</AcctSvcrRef>" if entry.servicer_ref else ""
    details = ""
    if entry.details:
        details = "<NtryDtls>" + "".join(_transaction(tx, entry, version) for tx in entry.transactions) + "</NtryDtls>"
    return (
        f'<Ntry><Amt Ccy="{entry.currency}">{amount}</Amt><CdtDbtInd>{"CRDT" if entry.credit else "DBIT"}'
        f"</CdtDbtInd>{status}{booked}{value}{servicer}"
        f"{_bank_code(entry)}"
        f"{details}</Ntry>\n"
    )


def _bank_code(entry: Entry) -> str:
    """Received QR-bill payments (RCDT/VCOM) or issued domestic credit transfers (ICDT/DMCT)."""
    family, sub = ("RCDT", "VCOM") if entry.credit else ("ICDT", "DMCT")
    return f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{family}</Cd><SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn></BkTxCd>"


def build(camt: CamtFile) -> bytes:
    message, report = ("BkToCstmrDbtCdtNtfctn", "Ntfctn") if camt.kind == "054" else ("BkToCstmrStmt", "Stmt")
    reports = "".join(
        f"<{report}><Id>{camt.message_id}-{number}</Id><CreDtTm>{camt.created}</CreDtTm>"
        f"<Acct><Id><IBAN>{one.account}</IBAN></Id></Acct>\n"
        + "".join(_entry(entry, camt.version) for entry in one.entries)
        + f"</{report}>\n"
        for number, one in enumerate([Report(camt.account, camt.entries), *camt.more_reports], 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.{camt.kind}.{camt.version}">\n'
        f"<{message}>\n<GrpHdr><MsgId>{camt.message_id}</MsgId><CreDtTm>{camt.created}</CreDtTm></GrpHdr>\n"
        f"{reports}</{message}>\n</Document>\n"
    ).encode()
