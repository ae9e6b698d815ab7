"""ISO 20022 bank-to-customer files as Swiss banks deliver them: camt.054 (debit/credit notification, ``Ntfctn``)
and camt.053 (account statement, ``Stmt``), versions ``.001.08`` (SPS 2022) and the older ``.001.04``.

Pure: no models, no settings. A file comes in as bytes and goes out as a ``CamtDocument`` of plain dataclasses,
or a ``CamtError`` whose German message names what is wrong and on which line. Bank files are untrusted uploads:
a DOCTYPE or ENTITY declaration is refused before any XML is parsed, and the parser never resolves entities,
never loads a DTD, never touches the network, and takes no file above ``MAX_BYTES``.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from lxml import etree

MAX_BYTES = 64 * 1024 * 1024  # a camt.054 with 10,000 credits is about 15 MB
NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.(05[34])\.(\d{3}\.\d{2})")
CAMT_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.")
VERSIONS = ("001.04", "001.08")
MESSAGES = {"054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn"), "053": ("BkToCstmrStmt", "Stmt")}
SAFE_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}
ZURICH = ZoneInfo("Europe/Zurich")
_AMOUNT = re.compile(r"\d{1,13}(\.\d{1,5})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_READ_BRANCHES = frozenset(("Refs", "Amt", "RltdPties", "RmtInf"))  # the parts of a TxDtls we read


class CamtError(Exception):
    """The file cannot be read as a camt.053 or camt.054; ``message`` is German and names the line."""

    def __init__(self, message: str, *, code: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.line = line


@dataclass(frozen=True)
class CamtTransaction:
    """One payment: a ``TxDtls`` of an entry, or the entry itself when it has none."""

    index: int  # 1-based within the entry
    line: int
    amount: Decimal
    currency: str
    account_servicer_ref: str
    end_to_end_id: str
    reference: str
    reference_type: str  # QRR, SCOR, another code, or empty
    unstructured: str
    debtor_name: str
    debtor_iban: str


@dataclass(frozen=True)
class CamtEntry:
    line: int
    amount: Decimal
    currency: str
    credit_debit: str  # CRDT or DBIT
    status: str  # BOOK, PDNG, INFO
    booking_date: date | None
    value_date: date | None
    entry_ref: str
    account_servicer_ref: str
    transactions: tuple[CamtTransaction, ...]

    @property
    def is_credit(self) -> bool:
        return self.credit_debit == "CRDT"


@dataclass(frozen=True)
class CamtReport:
    """A notification (camt.054) or a statement (camt.053) of one account."""

    line: int
    report_id: str
    account_iban: str
    entries: tuple[CamtEntry, ...]


@dataclass(frozen=True)
class CamtDocument:
    kind: str  # camt.054 or camt.053
    version: str  # 001.08 or 001.04
    message_id: str
    created_at: datetime  # aware UTC
    reports: tuple[CamtReport, ...]

    @property
    def entries(self):
        return [entry for report in self.reports for entry in report.entries]


def parse(data: bytes, *, max_bytes: int = MAX_BYTES) -> CamtDocument:
    """The document in ``data``, or ``CamtError``."""
    if not data or data.isspace():
        raise CamtError(_("Die Datei ist leer."), code="empty_file")
    if len(data) > max_bytes:
        raise CamtError(
            _("Die Datei ist %(size)s Bytes gross; angenommen werden höchstens %(limit)s Bytes.")
            % {"size": len(data), "limit": max_bytes},
            code="file_too_large",
        )
    _refuse_declarations(data)
    try:
        root = etree.fromstring(data, etree.XMLParser(collect_ids=False, **SAFE_OPTIONS))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise CamtError(
            _("Die XML-Datei ist in Zeile %(line)s fehlerhaft: %(detail)s") % {"line": line, "detail": exc.msg},
            code="xml_syntax",
            line=line,
        ) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # written in an encoding the byte test does not see
        raise _declaration_error(1)
    return _Reader(root).document()


def _refuse_declarations(data: bytes) -> None:
    """Bank files never declare a DTD; refusing one outright rules out entity expansion and external fetches."""
    if b"!" not in data:
        return
    positions = [found for found in (data.find(b"<!DOCTYPE"), data.find(b"<!ENTITY")) if found >= 0]
    if positions:
        raise _declaration_error(data.count(b"\n", 0, min(positions)) + 1)


def _declaration_error(line: int) -> CamtError:
    return CamtError(
        _(
            "Die Datei enthält in Zeile %(line)s eine DOCTYPE- oder ENTITY-Deklaration. Bankdateien haben keine; "
            "die Datei wird aus Sicherheitsgründen nicht gelesen."
        )
        % {"line": line},
        code="doctype_forbidden",
        line=line,
    )


@lru_cache(maxsize=512)
def _path(namespace: str, steps: str) -> str:
    return "/".join(f"{{{namespace}}}{step}" for step in steps.split("/"))


class _Reader:
    def __init__(self, root: etree._Element) -> None:
        tag = root.tag if isinstance(root.tag, str) else ""
        namespace, _sep, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        match = NAMESPACE.fullmatch(namespace)
        if name != "Document" or not CAMT_NAMESPACE.match(namespace):
            raise CamtError(
                _(
                    "Die Datei ist keine camt.053- oder camt.054-Datei: das Wurzelelement ist «%(root)s» "
                    "(Zeile %(line)s)."
                )
                % {"root": name or tag, "line": root.sourceline or 1},
                code="not_camt",
                line=root.sourceline or 1,
            )
        if match is None or match.group(1) not in MESSAGES:
            raise CamtError(
                _("Die Datei ist keine camt.053- oder camt.054-Datei: Namensraum «%(namespace)s» (Zeile %(line)s).")
                % {"namespace": namespace, "line": root.sourceline or 1},
                code="not_camt",
                line=root.sourceline or 1,
            )
        self.number, self.version = match.groups()
        if self.version not in VERSIONS:
            raise CamtError(
                _(
                    "camt.%(number)s in der Version %(version)s wird nicht unterstützt; gelesen werden die "
                    "Versionen 001.08 (SPS 2022) und 001.04 (Zeile %(line)s)."
                )
                % {"number": self.number, "version": self.version, "line": root.sourceline or 1},
                code="unsupported_version",
                line=root.sourceline or 1,
            )
        self.ns = namespace
        self.root = root

    # -- helpers ---------------------------------------------------------------------------------------------

    def find(self, element, steps: str):
        return element.find(_path(self.ns, steps))

    def text(self, element, steps: str) -> str:
        found = element.findtext(_path(self.ns, steps))
        return found.strip() if found else ""

    def required(self, element, steps: str) -> str:
        value = self.text(element, steps)
        if not value:
            line = element.sourceline or 1
            raise CamtError(
                _("Das Element %(element)s fehlt in %(parent)s (Zeile %(line)s).")
                % {"element": steps, "parent": etree.QName(element).localname, "line": line},
                code="missing_element",
                line=line,
            )
        return value

    def amount(self, element, steps: str) -> tuple[Decimal, str]:
        node = self.find(element, steps)
        if node is None:
            self.required(element, steps)
        return self.amount_of(node)

    def amount_of(self, node) -> tuple[Decimal, str]:
        value = (node.text or "").strip()
        line = node.sourceline or 1
        if not _AMOUNT.fullmatch(value):
            raise CamtError(
                _("Der Betrag «%(value)s» in Zeile %(line)s ist ungültig.") % {"value": value, "line": line},
                code="bad_amount",
                line=line,
            )
        currency = (node.get("Ccy") or "").strip().upper()
        if not _CURRENCY.fullmatch(currency):
            raise CamtError(
                _("Die Währung «%(value)s» in Zeile %(line)s ist ungültig.") % {"value": currency, "line": line},
                code="bad_currency",
                line=line,
            )
        return Decimal(value), currency

    def day(self, element, steps: str) -> date | None:
        node = self.find(element, steps)
        if node is None:
            return None
        for child in node:
            if not isinstance(child.tag, str):
                continue
            value = (child.text or "").strip()
            try:
                if etree.QName(child).localname == "Dt":
                    return date.fromisoformat(value)
                if etree.QName(child).localname == "DtTm":
                    return _moment(value).astimezone(ZURICH).date()
            except ValueError:
                raise _bad_date(value, child.sourceline or 1) from None
        return None

    # -- the document ------------------------------------------------------------------------------------------

    def document(self) -> CamtDocument:
        message_name, report_name = MESSAGES[self.number]
        message = self.find(self.root, message_name)
        if message is None:
            self.required(self.root, message_name)
        header = self.find(message, "GrpHdr")
        if header is None:
            self.required(message, "GrpHdr")
        created_text = self.required(header, "CreDtTm")
        try:
            created_at = _moment(created_text)
        except ValueError:
            raise _bad_date(created_text, self.find(header, "CreDtTm").sourceline or 1) from None
        reports = tuple(self.report(node) for node in message.iterfind(_path(self.ns, report_name)))
        return CamtDocument(
            kind=f"camt.{self.number}",
            version=self.version,
            message_id=self.required(header, "MsgId"),
            created_at=created_at,
            reports=reports,
        )

    def report(self, node) -> CamtReport:
        return CamtReport(
            line=node.sourceline or 1,
            report_id=self.text(node, "Id"),
            account_iban=self.required(node, "Acct/Id/IBAN").replace(" ", "").upper(),
            entries=tuple(self.entry(entry) for entry in node.iterfind(_path(self.ns, "Ntry"))),
        )

    def entry(self, node) -> CamtEntry:
        amount, currency = self.amount(node, "Amt")
        credit_debit = self.required(node, "CdtDbtInd")
        status = self.text(node, "Sts/Cd") or self.required(node, "Sts")  # v08: Sts/Cd, v04: text of Sts
        booking_date = self.day(node, "BookgDt")
        if booking_date is None and status == "BOOK":
            self.required(node, "BookgDt/Dt")
        details = node.findall(_path(self.ns, "NtryDtls/TxDtls"))
        transactions = tuple(
            self.transaction(detail, index, amount, currency) for index, detail in enumerate(details, 1)
        ) or (self.transaction(node, 1, amount, currency, whole_entry=True),)
        return CamtEntry(
            line=node.sourceline or 1,
            amount=amount,
            currency=currency,
            credit_debit=credit_debit,
            status=status,
            booking_date=booking_date,
            value_date=self.day(node, "ValDt"),
            entry_ref=self.text(node, "NtryRef"),
            account_servicer_ref=self.text(node, "AcctSvcrRef"),
            transactions=transactions,
        )

    def transaction(self, node, index: int, entry_amount, entry_currency, *, whole_entry=False) -> CamtTransaction:
        if whole_entry:
            return CamtTransaction(index, node.sourceline or 1, entry_amount, entry_currency, *([""] * 7))
        nodes = self.descendants(node)
        amount, currency = (entry_amount, entry_currency) if "Amt" not in nodes else self.amount_of(nodes["Amt"])

        def text(path: str) -> str:
            found = nodes.get(path)
            return (found.text or "").strip() if found is not None else ""

        reference_type = text("RmtInf/Strd/CdtrRefInf/Tp/CdOrPrtry/Prtry") or text(
            "RmtInf/Strd/CdtrRefInf/Tp/CdOrPrtry/Cd"
        )
        unstructured = ""
        if "RmtInf/Ustrd" in nodes:
            unstructured = " ".join(
                (found.text or "").strip() for found in node.iterfind(_path(self.ns, "RmtInf/Ustrd"))
            )
        return CamtTransaction(
            index=index,
            line=node.sourceline or 1,
            amount=amount,
            currency=currency,
            account_servicer_ref=text("Refs/AcctSvcrRef"),
            end_to_end_id=text("Refs/EndToEndId"),
            reference=text("RmtInf/Strd/CdtrRefInf/Ref").replace(" ", ""),
            reference_type=reference_type,
            unstructured=unstructured.strip(),
            debtor_name=text("RltdPties/Dbtr/Pty/Nm") or text("RltdPties/Dbtr/Nm"),
            debtor_iban=text("RltdPties/DbtrAcct/Id/IBAN").replace(" ", "").upper(),
        )

    def descendants(self, node) -> dict:
        """Every element below ``node`` by its path of local names, the first of each path: one walk over a
        transaction instead of a dozen path searches (a camt.054 can carry tens of thousands)."""
        found: dict = {}
        cut = len(self.ns) + 2
        pending = [(node, "")]
        while pending:
            parent, prefix = pending.pop()
            for child in parent:
                tag = child.tag
                if not isinstance(tag, str):
                    continue
                path = prefix + tag[cut:]
                if not prefix and path not in _READ_BRANCHES:
                    continue  # charges, agents, bank transaction codes, related dates: not read
                if path not in found:
                    found[path] = child
                if len(child):
                    pending.append((child, path + "/"))
        return found


def _moment(value: str) -> datetime:
    """An ISO date-time; one without offset is Swiss local time (as Swiss banks write it)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZURICH)
    return moment.astimezone(UTC)


def _bad_date(value: str, line: int) -> CamtError:
    return CamtError(
        _("Das Datum «%(value)s» in Zeile %(line)s ist ungültig.") % {"value": value, "line": line},
        code="bad_date",
        line=line,
    )
