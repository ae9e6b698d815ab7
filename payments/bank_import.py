"""Importing a bank file: keep it, read it, decide every credit (``payments.matching``) and book the payments.

Debits are the bank's confirmation of payout transfers (``payments.payout_matching``): recorded with the file,
and a batch whose transfers are all confirmed is confirmed in the same transaction.

All of a file or nothing of it: a file that cannot be read, or whose account belongs to no community, books
nothing; the same file again books nothing and names the import that had it. A preview (dry run) decides every
credit and debit exactly as booking would, and writes nothing.

Payments are booked as ``billing`` settlements of kind ``payment`` with the rules of
``billing.receivables.payment_book`` (a positive amount, never on a cancelled invoice or a credit note, both
checked in ``payments.matching``), but in bulk: one booking at a time costs three queries per credit, and a
camt.054 carries thousands of them (``payments.bulk_rows``). The candidate invoices are locked for the
transaction, as ``settlement_book`` locks its one invoice.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from accounts.actors import recorded_user
from billing.models import Settlement, SettlementKind
from communities.models import Community
from openleg.errors import DomainError
from openleg.formats import format_day
from openleg.iban import compact_iban
from openleg.money import round_chf
from openleg.periods import utc_now
from payments import camt
from payments.bulk_rows import insert_rows
from payments.matching import CreditOutcome, credit_outcomes, decide
from payments.models import BankCredit, BankFile, BankFileStatus, CreditStatus, PayoutBatch
from payments.payout_matching import DebitOutcome, debit_outcomes, debits_write, decide_debits

ZERO = Decimal("0.00")


@dataclass
class BankImportOutcome:
    filename: str
    format: str
    status: str  # booked, preview, unchanged, rejected
    bank_file: BankFile | None = None
    credits: list[CreditOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    debits: list[DebitOutcome] = field(default_factory=list)
    confirmed_batches: list[PayoutBatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status != BankFileStatus.REJECTED

    def as_dict(self) -> dict:
        return {
            "file": self.filename,
            "format": self.format,
            "status": str(self.status),
            "credits": [credit.as_dict() for credit in self.credits],
            "errors": list(self.errors),
        }


def community_for_account(iban: str) -> Community | None:
    """The community whose payment IBAN or account IBAN this is (spaces and case aside); an account shared by
    several communities is refused, since its payments could not be told apart."""
    wanted = compact_iban(iban)
    owners = [
        community
        for community in Community.objects.exclude(iban="", account_iban="").order_by("name")
        if wanted in (compact_iban(community.iban), compact_iban(community.account_iban))
    ]
    if len(owners) > 1:
        raise DomainError(
            _("Das Konto %(iban)s ist bei mehreren Gemeinschaften erfasst (%(names)s); bitte bereinigen.")
            % {"iban": wanted, "names": ", ".join(community.name for community in owners)},
            code="shared_account",
        )
    return owners[0] if owners else None


def _read(data: bytes) -> tuple[camt.CamtDocument, Community]:
    """The document and its community, or ``DomainError`` with the German reason."""
    try:
        document = camt.parse(data)
    except camt.CamtError as error:
        raise DomainError(error.message, code=error.code) from error
    communities = {}
    for report in document.reports:
        community = community_for_account(report.account_iban)
        if community is None:
            raise DomainError(
                _("Das Konto %(iban)s gehört zu keiner Gemeinschaft.") % {"iban": report.account_iban},
                code="unknown_account",
            )
        communities[community.pk] = community
    if not communities:
        raise DomainError(_("Die Datei enthält keine Meldung und keinen Kontoauszug."), code="no_report")
    if len(communities) > 1:
        raise DomainError(
            _("Die Datei enthält Konten mehrerer Gemeinschaften; bitte je Gemeinschaft eine Datei importieren."),
            code="several_communities",
        )
    return document, next(iter(communities.values()))


def _booked_before(sha256: str) -> BankFile | None:
    return BankFile.objects.filter(sha256=sha256, status=BankFileStatus.BOOKED).first()


def _already_message(previous: BankFile) -> str:
    return _(
        "Diese Datei wurde bereits am %(date)s als «%(file)s» (Import %(id)s) verbucht; es wurde nichts gebucht."
    ) % {"date": format_day(previous.created_at), "file": previous.filename, "id": previous.pk}


def _new_file(*, data: bytes, filename: str, actor, door: str, status: str, previous: BankFile | None) -> BankFile:
    bank_file = BankFile(
        created_at=utc_now(),
        actor=recorded_user(actor),
        door=door,
        filename=filename[:255],
        sha256=BankFile.hash_of(data),
        size=len(data),
        status=status,
        same_as=previous,
    )
    if previous is not None:
        bank_file.file.name = previous.file.name  # the same bytes are kept once
    else:
        bank_file.file.save(filename, ContentFile(data), save=False)
    return bank_file


def _describe(bank_file: BankFile, document: camt.CamtDocument, community: Community) -> None:
    bank_file.format, bank_file.version = document.kind, document.version
    bank_file.message_id = document.message_id[:35]
    bank_file.account_iban = document.reports[0].account_iban[:34]
    bank_file.community = community


def bank_file_import(*, data: bytes, filename: str, actor, door: str, dry_run: bool = False) -> BankImportOutcome:
    """Read, decide and book one file (command door); ``dry_run`` records and books nothing."""
    previous = _booked_before(BankFile.hash_of(data))
    if previous is not None:
        outcome = BankImportOutcome(filename, previous.format, BankFileStatus.UNCHANGED, previous)
        outcome.errors.append(_already_message(previous))
        if not dry_run:
            outcome.bank_file = _new_file(
                data=data, filename=filename, actor=actor, door=door, status=BankFileStatus.UNCHANGED, previous=previous
            )
            _describe_from(outcome.bank_file, previous)
            outcome.bank_file.save()
        return outcome
    if dry_run:
        return _preview(data, filename)
    bank_file = _new_file(
        data=data, filename=filename, actor=actor, door=door, status=BankFileStatus.PREVIEW, previous=None
    )
    bank_file.save()
    return bank_file_book(bank_file=bank_file, actor=actor, door=door, data=data)


def _describe_from(bank_file: BankFile, previous: BankFile) -> None:
    for name in ("format", "version", "message_id", "account_iban", "community_id"):
        setattr(bank_file, name, getattr(previous, name))


def _preview(data: bytes, filename: str, bank_file: BankFile | None = None) -> BankImportOutcome:
    """Every credit decided, nothing written; a staged ``bank_file`` is described from the document."""
    try:
        document, community = _read(data)
    except DomainError as error:
        return BankImportOutcome(filename, "", BankFileStatus.REJECTED, bank_file, errors=[error.message])
    if bank_file is not None:
        _describe(bank_file, document, community)
    outcomes = credit_outcomes(document)
    decide(outcomes, community=community, lock=False)
    debits = debit_outcomes(document)
    decide_debits(debits, community=community, lock=False)
    return BankImportOutcome(filename, document.kind, BankFileStatus.PREVIEW, bank_file, outcomes, debits=debits)


def bank_file_stage(*, data: bytes, filename: str, actor, door: str) -> BankImportOutcome:
    """Keep an uploaded file and show what booking it would do (admin: upload, preview, then book)."""
    previous = _booked_before(BankFile.hash_of(data))
    status = BankFileStatus.UNCHANGED if previous else BankFileStatus.PREVIEW
    bank_file = _new_file(data=data, filename=filename, actor=actor, door=door, status=status, previous=previous)
    if previous is not None:
        _describe_from(bank_file, previous)
        bank_file.save()
        return BankImportOutcome(filename, previous.format, status, bank_file, errors=[_already_message(previous)])
    outcome = _preview(data, filename, bank_file)
    if not outcome.ok:
        bank_file.status, bank_file.errors = BankFileStatus.REJECTED, outcome.errors
    bank_file.save()
    return outcome


def bank_file_preview(*, bank_file: BankFile) -> BankImportOutcome:
    """What booking a staged file would do now."""
    with bank_file.file.open("rb") as stored:
        data = stored.read()
    return _preview(data, bank_file.filename, bank_file)


def bank_file_book(*, bank_file: BankFile, actor, door: str, data: bytes | None = None) -> BankImportOutcome:
    """Book a staged file: every credit decided again under lock and written, or nothing when it is refused."""
    if data is None:
        with bank_file.file.open("rb") as stored:
            data = stored.read()
    try:
        with transaction.atomic():
            claimed = BankFile.objects.filter(pk=bank_file.pk, status=BankFileStatus.PREVIEW).update(
                status=BankFileStatus.BOOKED, booked_at=utc_now()
            )
            if claimed != 1:
                raise DomainError(_("Diese Bankdatei ist bereits verbucht oder abgelehnt."), code="not_staged")
            bank_file.refresh_from_db()
            document, community = _read(data)
            _describe(bank_file, document, community)
            outcomes = credit_outcomes(document)
            decide(outcomes, community=community, lock=True)
            debits = debit_outcomes(document)
            decide_debits(debits, community=community, lock=True)
            _write(bank_file, outcomes, actor=actor, door=door)
            confirmed = debits_write(bank_file=bank_file, outcomes=debits, actor=actor)
    except IntegrityError:
        previous = _booked_before(bank_file.sha256)
        message = (
            _already_message(previous)
            if previous
            else _("Eine Gutschrift dieser Datei wurde gleichzeitig von einem anderen Import erfasst; bitte erneut.")
        )
        return _refuse(bank_file, message, previous=previous)
    except DomainError as error:
        if error.code == "not_staged":
            raise
        return _refuse(bank_file, error.message)
    return BankImportOutcome(
        bank_file.filename,
        bank_file.format,
        BankFileStatus.BOOKED,
        bank_file,
        outcomes,
        debits=debits,
        confirmed_batches=confirmed,
    )


def _refuse(bank_file: BankFile, message: str, previous: BankFile | None = None) -> BankImportOutcome:
    bank_file.status = BankFileStatus.UNCHANGED if previous else BankFileStatus.REJECTED
    bank_file.same_as, bank_file.errors, bank_file.booked_at = previous, [message], None
    bank_file.save(update_fields=["status", "same_as", "errors", "booked_at"])
    return BankImportOutcome(bank_file.filename, bank_file.format, bank_file.status, bank_file, errors=[message])


SETTLEMENT_COLUMNS = ["invoice_id", "kind", "amount_chf", "booked_on", "note", "created_at", "created_by_id", "door"]
CREDIT_COLUMNS = [
    "bank_file_id",
    "position",
    "line",
    "entry_status",
    "booked_on",
    "value_date",
    "amount",
    "currency",
    "reference",
    "reference_type",
    "unstructured",
    "debtor_name",
    "debtor_iban",
    "account_servicer_ref",
    "dedupe_key",
    "status",
    "reason",
    "duplicate_of_id",
    "invoice_id",
    "settlement_id",
    "resolved_door",
]


def _write(bank_file: BankFile, outcomes: list[CreditOutcome], *, actor, door: str) -> None:
    user_id = recorded_user(actor).pk if recorded_user(actor) else None
    now = utc_now()
    matched = [outcome for outcome in outcomes if outcome.status == CreditStatus.MATCHED]
    note = _("Bankdatei %(file)s, Position %(position)s: %(debtor)s")
    settlement_ids = insert_rows(
        Settlement,
        SETTLEMENT_COLUMNS,
        [
            (
                outcome.invoice.pk,
                SettlementKind.PAYMENT.value,
                -outcome.amount,
                outcome.booked_on,
                payment_note(bank_file, outcome.position, outcome.debtor_name, text=note),
                now,
                user_id,
                str(door),
            )
            for outcome in matched
        ],
    )
    settlement_of = dict(zip((outcome.position for outcome in matched), settlement_ids, strict=True))
    insert_rows(
        BankCredit,
        CREDIT_COLUMNS,
        [
            (
                bank_file.pk,
                outcome.position,
                outcome.line,
                outcome.entry_status[:4],
                outcome.booked_on,
                outcome.value_date,
                outcome.amount,
                outcome.currency,
                outcome.reference,
                outcome.reference_type,
                outcome.unstructured,
                outcome.debtor_name,
                outcome.debtor_iban,
                outcome.account_servicer_ref,
                outcome.dedupe_key,
                str(outcome.status),
                outcome.reason[:300],
                outcome.duplicate_of.pk if outcome.duplicate_of else None,
                outcome.invoice.pk if outcome.invoice else None,
                settlement_of.get(outcome.position),
                "",
            )
            for outcome in outcomes
        ],
    )
    bank_file_totals_refresh(bank_file=bank_file)


def payment_note(bank_file: BankFile, position: int, debtor: str, *, text: str = "") -> str:
    """The settlement's text; ``text`` is the translated pattern, when many notes are written at once."""
    pattern = text or _("Bankdatei %(file)s, Position %(position)s: %(debtor)s")
    return (pattern % {"file": bank_file.filename, "position": position, "debtor": debtor or "-"})[:300]


def bank_file_totals_refresh(*, bank_file: BankFile) -> None:
    """Counts and sums per credit status, after booking and after every credit resolved by hand."""
    rows = {
        row["status"]: row
        for row in BankCredit.objects.filter(bank_file=bank_file)
        .values("status")
        .annotate(count=Count("pk"), total=Sum("amount"))
    }
    for status in CreditStatus.values:
        row = rows.get(status, {})
        setattr(bank_file, f"{status}_count", row.get("count", 0))
        setattr(bank_file, f"{status}_chf", round_chf(row.get("total") or ZERO))
    bank_file.save()
