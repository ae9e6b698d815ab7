"""The debits of a bank file: the bank's own word that a payout transfer was executed.

A debit (``DBIT``, booked) whose ``EndToEndId`` is the end-to-end id of a payout of the community, for the exact
amount of that payout, confirms the transfer. When every transfer of a batch is confirmed, the batch is confirmed
through ``payments.payouts.payout_batch_confirm`` (door ``import``), which books the payouts once. Any other debit is
recorded with the German reason why it confirms nothing. A transfer is confirmed by one debit only: the database
holds that rule (``bank_debit_confirms_once``), and the batches concerned are locked while a file is booked, so two
files each carrying half of a batch cannot both miss that the batch is complete.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from communities.models import Community, Door
from openleg.formats import format_chf, format_day
from payments.camt import CamtDocument
from payments.models import BankDebit, BankFile, DebitStatus, Payout, PayoutBatch, PayoutBatchStatus
from payments.payouts import payout_batch_confirm

BOOKED = "BOOK"


@dataclass
class DebitOutcome:
    """One debit transaction and what it becomes; the same whether the file is previewed or booked."""

    position: int
    line: int
    entry_status: str
    booked_on: date | None
    amount: Decimal
    currency: str
    end_to_end_id: str
    account_servicer_ref: str
    status: str = DebitStatus.OTHER
    reason: str = ""
    payout: Payout | None = None

    @property
    def amount_text(self) -> str:
        return format_chf(self.amount)


def debit_outcomes(document: CamtDocument) -> list[DebitOutcome]:
    """Every debit transaction of the file, numbered in file order (apart from the credits)."""
    outcomes = []
    for report in document.reports:
        for entry in report.entries:
            if entry.is_credit:
                continue
            for transaction in entry.transactions:
                outcomes.append(
                    DebitOutcome(
                        position=len(outcomes) + 1,
                        line=transaction.line,
                        entry_status=entry.status[:4],
                        booked_on=entry.booking_date,
                        amount=transaction.amount,
                        currency=transaction.currency,
                        end_to_end_id=transaction.end_to_end_id[:35],
                        account_servicer_ref=(transaction.account_servicer_ref or entry.account_servicer_ref)[:70],
                    )
                )
    return outcomes


def decide_debits(outcomes: list[DebitOutcome], *, community: Community, lock: bool) -> None:
    """Sets status, reason and payout of every debit; ``lock`` (when booking) holds the batches concerned."""
    ids = {outcome.end_to_end_id for outcome in outcomes if outcome.end_to_end_id and outcome.entry_status == BOOKED}
    payouts = {
        payout.end_to_end_id: payout
        for payout in Payout.objects.filter(end_to_end_id__in=ids).select_related("batch__community")
    }
    batch_ids = sorted({payout.batch_id for payout in payouts.values()})
    if lock and batch_ids:
        batches = {
            batch.pk: batch for batch in PayoutBatch.objects.select_for_update().filter(pk__in=batch_ids).order_by("pk")
        }
        for payout in payouts.values():  # the state as it is under the lock
            payout.batch = batches[payout.batch_id]
    earlier = {
        debit.payout_id: debit
        for debit in BankDebit.objects.filter(payout__in=list(payouts.values()), status=DebitStatus.CONFIRMED)
        .select_related("bank_file")
        .order_by("pk")
    }
    in_file: dict[int, DebitOutcome] = {}
    for outcome in outcomes:
        _decide(outcome, payouts.get(outcome.end_to_end_id), community, earlier, in_file)
    _describe_progress(outcomes, batch_ids)


def _decide(outcome: DebitOutcome, payout: Payout | None, community: Community, earlier: dict, in_file: dict) -> None:
    if outcome.entry_status != BOOKED:
        outcome.status = DebitStatus.NOT_BOOKED
        outcome.reason = _(
            "Die Bank hat die Belastung noch nicht definitiv gebucht (Status %(status)s); bestätigt wird mit der "
            "definitiven Buchung."
        ) % {"status": outcome.entry_status}
        return
    if not outcome.end_to_end_id:
        outcome.status, outcome.reason = DebitStatus.OTHER, _("Die Belastung hat keine End-to-End-ID.")
        return
    if payout is None:
        outcome.status = DebitStatus.OTHER
        outcome.reason = _("Keine Auszahlung hat die End-to-End-ID %(id)s.") % {"id": outcome.end_to_end_id}
        return
    batch = payout.batch
    if batch.community_id != community.pk:
        outcome.status = DebitStatus.NOT_CONFIRMED
        outcome.reason = _(
            "Die Überweisung %(id)s gehört zur LEG «%(other)s», nicht zur Gemeinschaft dieser Bankdatei."
        ) % {"id": payout.end_to_end_id, "other": batch.community}
        return
    outcome.payout = payout
    if batch.status == PayoutBatchStatus.CANCELLED:
        outcome.status = DebitStatus.NOT_CONFIRMED
        outcome.reason = _(
            "Die Auszahlung %(batch)s ist storniert, die Bank hat die Überweisung an %(creditor)s aber ausgeführt; "
            "bitte klären."
        ) % {"batch": batch, "creditor": payout.creditor_name}
        return
    if outcome.currency != "CHF" or outcome.amount != payout.amount_chf:
        outcome.status = DebitStatus.MISMATCH
        outcome.reason = _(
            "Die Bank hat %(currency)s %(amount)s belastet, die Überweisung an %(creditor)s lautet auf "
            "CHF %(expected)s; nichts bestätigt."
        ) % {
            "currency": outcome.currency,
            "amount": format_chf(outcome.amount),
            "creditor": payout.creditor_name,
            "expected": format_chf(payout.amount_chf),
        }
        return
    before = earlier.get(payout.pk)
    if before is not None:
        outcome.status = DebitStatus.DUPLICATE
        outcome.reason = _(
            "Die Überweisung ist bereits mit der Datei «%(file)s» vom %(date)s bestätigt (Belastung %(position)s)."
        ) % {
            "file": before.bank_file.filename,
            "date": format_day(before.bank_file.created_at),
            "position": before.position,
        }
        return
    if payout.pk in in_file:
        outcome.status = DebitStatus.DUPLICATE
        outcome.reason = _("Dieselbe Überweisung steht bereits an Belastung %(position)s dieser Datei.") % {
            "position": in_file[payout.pk].position
        }
        return
    in_file[payout.pk] = outcome
    outcome.status = DebitStatus.CONFIRMED


def _describe_progress(outcomes: list[DebitOutcome], batch_ids: list[int]) -> None:
    """The reason of a confirming debit says how far its batch is confirmed with this file."""
    confirmed_before = dict(
        BankDebit.objects.filter(payout__batch__in=batch_ids, status=DebitStatus.CONFIRMED)
        .values("payout__batch")
        .annotate(count=Count("pk"))
        .values_list("payout__batch", "count")
    )
    now = Counter(outcome.payout.batch_id for outcome in outcomes if outcome.status == DebitStatus.CONFIRMED)
    for outcome in outcomes:
        if outcome.status != DebitStatus.CONFIRMED:
            continue
        batch = outcome.payout.batch
        done = confirmed_before.get(batch.pk, 0) + now[batch.pk]
        values = {"batch": batch, "done": done, "count": batch.payout_count}
        if batch.status == PayoutBatchStatus.CONFIRMED:
            outcome.reason = _("Die Auszahlung %(batch)s war bereits als ausgeführt gebucht.") % values
        elif done >= batch.payout_count:
            outcome.reason = (
                _("Auszahlung %(batch)s: alle %(count)s Überweisungen bestätigt, sie wird gebucht.") % values
            )
        else:
            outcome.reason = (
                _(
                    "Auszahlung %(batch)s: %(done)s von %(count)s Überweisungen bestätigt; gebucht wird, wenn alle "
                    "bestätigt sind."
                )
                % values
            )


DEBIT_FIELDS = (
    "position",
    "line",
    "entry_status",
    "booked_on",
    "amount",
    "currency",
    "end_to_end_id",
    "account_servicer_ref",
    "status",
    "payout",
)


def debits_write(*, bank_file: BankFile, outcomes: list[DebitOutcome], actor) -> list[PayoutBatch]:
    """Record the debits of a booked file and confirm every batch whose transfers are now all confirmed (inside
    the file's transaction, with the batches locked by ``decide_debits``). Returns the batches confirmed."""
    BankDebit.objects.bulk_create(
        BankDebit(
            bank_file=bank_file,
            reason=outcome.reason[:300],
            **{name: getattr(outcome, name) for name in DEBIT_FIELDS},
        )
        for outcome in outcomes
    )
    touched = {outcome.payout.batch_id for outcome in outcomes if outcome.status == DebitStatus.CONFIRMED}
    complete = (
        PayoutBatch.objects.filter(pk__in=touched, status=PayoutBatchStatus.EXPORTED)
        .annotate(confirmed=Count("payouts__bank_debits", filter=Q(payouts__bank_debits__status=DebitStatus.CONFIRMED)))
        .order_by("pk")
    )
    return [
        payout_batch_confirm(batch=batch, actor=actor, door=Door.IMPORT)
        for batch in complete
        if batch.confirmed >= batch.payout_count
    ]
