"""Payouts of credits: what is due, and the batches that pay it (pain.001 file, confirmation, cancellation).

A credit item is an issued credit statement, invoice or credit note whose open amount is negative: the community
owes the participant that amount. Where the community pays credits out (``credit_handling`` = payout), each such
item not yet in a live batch is due, once, as one transfer to the participant's IBAN. The bank's execution is
confirmed by a person, or by the bank's own debits in an imported camt file (``payments.payout_matching``, door
``import``); only then is the payout booked on the item (``SettlementKind.PAYOUT``), which closes it.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import recorded_user
from billing.models import Invoice, InvoiceKind, SettlementKind
from billing.receivables import open_amounts, settlement_book
from communities.models import Community, CreditHandling, Participant
from openleg.errors import DomainError
from openleg.formats import format_day
from openleg.iban import compact_iban, is_qr_iban, payout_iban_error
from openleg.money import round_chf
from openleg.periods import local_today
from payments import pain001
from payments.models import Payout, PayoutBatch, PayoutBatchStatus

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class DueItem:
    """A credit item and what is paid out for it (positive CHF); ``reason`` says why it cannot be, if it cannot."""

    participant: Participant
    invoice: Invoice
    amount: Decimal
    reason: str = ""


@dataclass(frozen=True)
class PayoutsDue:
    payable: list[DueItem]
    held: list[DueItem]  # participants without a usable IBAN: listed with the reason, not exported

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.payable), ZERO)

    @property
    def held_total(self) -> Decimal:
        return sum((item.amount for item in self.held), ZERO)


def participant_account_problem(participant: Participant) -> str:
    """Why no money can be sent to the participant's account, or ""."""
    if not participant.iban.strip():
        return _("Keine Bankverbindung erfasst")
    return payout_iban_error(participant.iban) or ""


def _due_by_community(communities) -> dict[int, PayoutsDue]:
    """Per community id: its credit items not yet in a live batch, ordered by number (one query in all)."""
    items = (
        Invoice.objects.filter(community__in=communities)
        .annotate(open_chf=F("total_chf") + Coalesce(Sum("settlements__amount_chf"), ZERO))
        .filter(open_chf__lt=0)
        .exclude(payouts__live=True)
        .select_related("participant")
        .order_by("community", "number")
    )
    due: dict[int, PayoutsDue] = {}
    for item in items:
        amount = -round_chf(item.open_chf)  # SQLite sums as floats: one rounding gives the exact amount back
        if amount <= 0:
            continue
        reason = participant_account_problem(item.participant)
        entry = DueItem(participant=item.participant, invoice=item, amount=amount, reason=reason)
        lists = due.setdefault(item.community_id, PayoutsDue(payable=[], held=[]))
        (lists.held if reason else lists.payable).append(entry)
    return due


def payouts_due(community: Community) -> PayoutsDue:
    """The credit items of a community that pays credits out, not yet in a live batch, ordered by number."""
    if community.credit_handling != CreditHandling.PAYOUT:
        return PayoutsDue(payable=[], held=[])
    return _due_by_community([community.pk]).get(community.pk, PayoutsDue(payable=[], held=[]))


def payouts_due_overview() -> list[tuple[Community, PayoutsDue]]:
    """Every community that pays credits out, by name, with what is due (two queries whatever their number)."""
    communities = list(Community.objects.filter(credit_handling=CreditHandling.PAYOUT).order_by("name"))
    due = _due_by_community(communities)
    return [(community, due.get(community.pk, PayoutsDue(payable=[], held=[]))) for community in communities]


def payout_account_problem(community: Community) -> str:
    """Why payouts cannot be debited from the community's account, or ""."""
    if community.payout_account:
        problem = payout_iban_error(community.payout_account)
        return (
            _("Das Konto für Auszahlungen der LEG «%(community)s» ist nicht verwendbar: %(problem)s")
            % {"community": community, "problem": problem}
            if problem
            else ""
        )
    if community.iban and is_qr_iban(community.iban):
        return _(
            "Die LEG «%(community)s» hat kein Konto für Auszahlungen: ihre IBAN für Zahlungen %(iban)s ist eine "
            "QR-IBAN, von der nichts abgebucht werden kann. Bitte die gewöhnliche IBAN desselben Kontos unter "
            "«IBAN des Kontos für Auszahlungen» erfassen."
        ) % {"community": community, "iban": community.iban}
    return _(
        "Die LEG «%(community)s» hat kein Konto für Auszahlungen: bitte die IBAN für Zahlungen oder die IBAN des "
        "Kontos für Auszahlungen erfassen."
    ) % {"community": community}


def next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def default_execution_date() -> date:
    return next_business_day(local_today())


def remittance_text(invoice: Invoice, community: Community) -> str:
    labels = {
        InvoiceKind.CREDIT_STATEMENT: _("Gutschrift"),
        InvoiceKind.INVOICE: _("Rückzahlung Rechnung"),
        InvoiceKind.CREDIT_NOTE: _("Rückzahlung Storno"),
    }
    label = labels.get(invoice.kind, invoice.get_kind_display())
    period = f"{invoice.period_from.month:02d}/{invoice.period_from.year}"
    return pain001.sps_text(f"{label} {invoice.display_number} {community.name} {period}", pain001.REMITTANCE_MAX)


def _address(party) -> pain001.Address:
    return pain001.Address(party.street, party.house_number, party.postcode, party.town, party.country)


def _refuse(message: str, code: str) -> DomainError:
    return DomainError(message, code=code)


def _check_can_pay_out(community: Community, execution_date: date) -> None:
    if community.credit_handling != CreditHandling.PAYOUT:
        raise _refuse(
            _(
                "Die LEG «%(community)s» zahlt Guthaben nicht aus, sie verrechnet sie mit der nächsten Abrechnung "
                "(Einstellung «Guthaben»)."
            )
            % {"community": community},
            "carry_over_community",
        )
    problem = payout_account_problem(community)
    if problem:
        raise _refuse(problem, "no_payout_account")
    if execution_date < local_today():
        raise _refuse(
            _("Das Ausführungsdatum %(date)s liegt in der Vergangenheit.")
            % {"date": format_day(execution_date)},
            "execution_date_past",
        )


def payout_batch_create(*, community: Community, execution_date: date, actor, door: str) -> PayoutBatch:
    """Export every payable credit of the community as one pain.001 file and record it as a batch."""
    _check_can_pay_out(community, execution_date)
    token = secrets.token_hex(4).upper()
    created_at = timezone.now()
    message_id = f"OLEG-{community.pk}-{timezone.localtime(created_at):%Y%m%d}-{token}"
    stored_name = ""
    try:
        with transaction.atomic():
            Community.objects.select_for_update().filter(pk=community.pk).first()  # one batch at a time
            due = payouts_due(community)
            if not due.payable:
                raise _refuse(
                    _("Für die LEG «%(community)s» ist nichts auszuzahlen.") % {"community": community}, "nothing_due"
                )
            debtor = pain001.Party(
                name=community.name, address=_address(community), iban=compact_iban(community.payout_account)
            )
            transfers = []
            for item in due.payable:
                participant = item.participant
                transfers.append(
                    pain001.Transfer(
                        end_to_end_id=f"OLEG-{community.pk}-{item.invoice.number}-{token}",
                        amount=item.amount,
                        creditor=pain001.Party(
                            name=pain001.sps_text(participant.payout_account_holder, pain001.NAME_MAX),
                            address=_address(participant),
                            iban=compact_iban(participant.iban),
                        ),
                        remittance=remittance_text(item.invoice, community),
                    )
                )
            xml = pain001.pain001_xml(
                message_id=message_id,
                created_at=created_at,
                initiating_party=community.name,
                groups=[pain001.PaymentGroup(f"{message_id}-1", debtor, execution_date, tuple(transfers))],
            )
            batch = PayoutBatch(
                community=community,
                message_id=message_id,
                execution_date=execution_date,
                debtor_iban=debtor.iban,
                payout_count=len(transfers),
                total_chf=due.total,
                sha256=hashlib.sha256(xml).hexdigest(),
                created_by=recorded_user(actor),
                door=door,
            )
            batch.file.save(f"{message_id}.xml", ContentFile(xml), save=False)
            stored_name = batch.file.name
            batch.save()
            Payout.objects.bulk_create(
                Payout(
                    batch=batch,
                    participant=item.participant,
                    invoice=item.invoice,
                    amount_chf=item.amount,
                    end_to_end_id=transfer.end_to_end_id,
                    creditor_name=transfer.creditor.name,
                    creditor_iban=transfer.creditor.iban,
                    remittance=transfer.remittance,
                )
                for item, transfer in zip(due.payable, transfers, strict=True)
            )
    except IntegrityError as error:
        _forget(stored_name)
        raise _refuse(
            _(
                "Ein Guthaben ist inzwischen in einer anderen Auszahlung; bitte die Liste neu laden und erneut "
                "versuchen."
            ),
            "already_in_batch",
        ) from error
    except BaseException:
        _forget(stored_name)
        raise
    return batch


def _forget(stored_name: str) -> None:
    """A file written for a batch that was not recorded is removed: nothing half-written stays behind."""
    if stored_name:
        PayoutBatch.file.field.storage.delete(stored_name)


def payouts_settled_meanwhile(batch: PayoutBatch) -> list[tuple[Payout, Decimal]]:
    """Payouts of a batch whose item no longer owes the amount exported (e.g. its run was cancelled since), with
    the item's open amount now: confirming still books what the bank paid, which leaves the item owing the LEG."""
    payouts = list(batch.payouts.select_related("invoice", "participant").order_by("pk"))
    amounts = open_amounts(payout.invoice_id for payout in payouts)
    return [
        (payout, amounts[payout.invoice_id]) for payout in payouts if amounts[payout.invoice_id] != -payout.amount_chf
    ]


def payout_batch_confirm(*, batch: PayoutBatch, actor, door: str) -> PayoutBatch:
    """The bank executed the batch: book each payout on its item. Safe to call twice: it books once."""
    with transaction.atomic():
        claimed = PayoutBatch.objects.filter(pk=batch.pk, status=PayoutBatchStatus.EXPORTED).update(
            status=PayoutBatchStatus.CONFIRMED,
            confirmed_at=timezone.now(),
            confirmed_by=recorded_user(actor),
            confirmed_door=door,
        )
        batch.refresh_from_db()
        if not claimed:
            if batch.status == PayoutBatchStatus.CANCELLED:
                raise _refuse(
                    _("Die Auszahlung %(batch)s ist storniert und kann nicht bestätigt werden.") % {"batch": batch},
                    "batch_cancelled",
                )
            return batch  # confirmed before: booked then
        note = _("Auszahlung %(batch)s") % {"batch": batch}
        for payout in batch.payouts.select_related("invoice").order_by("pk"):
            payout.settlement = settlement_book(
                invoice=payout.invoice,
                kind=SettlementKind.PAYOUT,
                amount=payout.amount_chf,
                booked_on=batch.execution_date,
                actor=actor,
                door=door,
                note=note,
            )
            payout.save(update_fields=["settlement"])
    return batch


def payout_batch_cancel(*, batch: PayoutBatch, reason: str, actor, door: str) -> PayoutBatch:
    """The file was not (or will not be) executed: the batch is void and its credits are due again."""
    reason = reason.strip()
    if not reason:
        raise _refuse(_("Bitte geben Sie einen Grund für die Stornierung an."), "reason_required")
    with transaction.atomic():
        claimed = PayoutBatch.objects.filter(pk=batch.pk, status=PayoutBatchStatus.EXPORTED).update(
            status=PayoutBatchStatus.CANCELLED,
            cancelled_at=timezone.now(),
            cancelled_by=recorded_user(actor),
            cancelled_door=door,
            cancel_reason=reason,
        )
        batch.refresh_from_db()
        if not claimed:
            if batch.status == PayoutBatchStatus.CONFIRMED:
                raise _refuse(
                    _(
                        "Die Auszahlung %(batch)s ist von der Bank ausgeführt und gebucht; sie kann nicht mehr "
                        "storniert werden."
                    )
                    % {"batch": batch},
                    "batch_confirmed",
                )
            return batch  # cancelled before
        batch.payouts.update(live=False)
    return batch
