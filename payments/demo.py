"""A demo bank file: the camt.054 (v08) a community's bank would deliver after its participants paid.

For a person walking through the demo: upload the file in the admin and see payments matched by their reference, a
payment without reference suggested, a partial payment, and exported payouts confirmed by their debits. Built from
the database as it is (open invoices, exported payout batches) with the one camt writer (``payments.camt_writer``);
the same state gives the same file.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from billing.models import Invoice, InvoiceKind
from billing.receivables import open_amounts
from billing.references import invoice_reference
from communities.models import Community
from openleg.errors import DomainError
from openleg.iban import compact_iban, is_qr_iban
from openleg.money import round_chf
from openleg.periods import ZURICH
from payments.camt_writer import CamtFile, Entry, Report, Tx, build
from payments.models import BankCredit, CreditStatus, PayoutBatch, PayoutBatchStatus

ZERO = Decimal("0.00")


@dataclass
class DemoBankFile:
    data: bytes
    paid_in_full: list[Invoice] = field(default_factory=list)
    paid_in_part: list[tuple[Invoice, Decimal]] = field(default_factory=list)
    without_reference: list[Invoice] = field(default_factory=list)
    batches: list[PayoutBatch] = field(default_factory=list)
    credits_chf: Decimal = ZERO
    debits_chf: Decimal = ZERO

    @property
    def credit_count(self) -> int:
        return len(self.paid_in_full) + len(self.paid_in_part) + len(self.without_reference)

    @property
    def debit_count(self) -> int:
        return sum(batch.payout_count for batch in self.batches)


def open_invoices(community: Community) -> list[tuple[Invoice, Decimal]]:
    """The community's uncancelled invoices that still ask for money, by number, with what is open; an invoice
    whose payment arrived and waits as a suggestion is not paid again."""
    invoices = list(
        Invoice.objects.filter(community=community, kind=InvoiceKind.INVOICE)
        .exclude(Exists(Invoice.objects.filter(corrects=OuterRef("pk"))))
        .exclude(Exists(BankCredit.objects.filter(invoice=OuterRef("pk"), status=CreditStatus.SUGGESTED)))
        .select_related("participant")
        .order_by("number")
    )
    amounts = open_amounts(invoice.pk for invoice in invoices)
    return [(invoice, round_chf(amounts[invoice.pk])) for invoice in invoices if round_chf(amounts[invoice.pk]) > ZERO]


def _paying(invoice: Invoice, amount: Decimal, ref: str, *, account: str, with_reference: bool) -> Tx:
    iban = invoice.issuer.get("iban") or account  # the account the invoice's QR-bill names
    return Tx(
        amount=amount,
        reference=invoice_reference(community_id=invoice.community_id, number=invoice.number, iban=iban)
        if with_reference
        else "",
        reference_type="QRR" if is_qr_iban(iban) else "SCOR",
        debtor=invoice.recipient.get("name", ""),
        debtor_iban=compact_iban(invoice.participant.iban) if invoice.participant.iban else "",
        servicer_ref=ref,
        unstructured=""
        if with_reference
        else _("Rechnung Strom %(month)s") % {"month": f"{invoice.period_from:%m/%Y}"},
    )


def demo_bank_file_build(*, community: Community, pay_percent: int, booked_on: date) -> DemoBankFile:
    """Pays ``pay_percent`` % of the open invoices (rounded, at least one when any is open): one of them in part
    and one without reference when three or more are paid, the rest in full with their reference; and debits every
    transfer of the community's exported payout batches."""
    if not 0 <= pay_percent <= 100:
        raise DomainError(
            _("--pay: %(value)s ist kein Prozentsatz zwischen 0 und 100.") % {"value": pay_percent}, code="bad_percent"
        )
    if not community.iban and not community.account_iban:
        raise DomainError(
            _("Die LEG «%(community)s» hat kein Konto (IBAN für Zahlungen); ohne Konto gibt es keine Bankdatei.")
            % {"community": community},
            code="no_account",
        )
    due = open_invoices(community)
    count = int((Decimal(len(due)) * pay_percent / 100).to_integral_value(ROUND_HALF_UP))
    paid = due[: max(count, 1 if due and pay_percent else 0)]
    batches = list(
        PayoutBatch.objects.filter(community=community, status=PayoutBatchStatus.EXPORTED)
        .prefetch_related("payouts")
        .order_by("pk")
    )
    if not paid and not batches:
        raise DomainError(
            _(
                "Für die LEG «%(community)s» ist keine Rechnung offen und keine Auszahlung exportiert; die Bankdatei "
                "wäre leer."
            )
            % {"community": community},
            code="nothing_to_pay",
        )
    state = ";".join(f"{invoice.pk}:{amount}" for invoice, amount in paid) + "|"
    state += ";".join(batch.message_id for batch in batches) + f"|{booked_on}"
    message_id = f"DEMO-{community.pk}-{booked_on:%Y%m%d}-{hashlib.sha256(state.encode()).hexdigest()[:8].upper()}"
    result = DemoBankFile(data=b"", batches=batches)
    part = 1 if len(paid) >= 3 else None  # the second payer pays half
    bare = len(paid) - 1 if len(paid) >= 3 else None  # the last payer forgets the reference
    credits = []
    account = compact_iban(community.iban or community.account_iban)
    for index, (invoice, amount) in enumerate(paid):
        ref = f"{message_id}-C{index + 1:04d}"
        if index == part:
            half = round_chf(amount / 2)
            result.paid_in_part.append((invoice, half))
            credits.append(
                Entry([_paying(invoice, half, ref, account=account, with_reference=True)], booked=f"{booked_on}")
            )
        elif index == bare:
            result.without_reference.append(invoice)
            credits.append(
                Entry([_paying(invoice, amount, ref, account=account, with_reference=False)], booked=f"{booked_on}")
            )
        else:
            result.paid_in_full.append(invoice)
            credits.append(
                Entry([_paying(invoice, amount, ref, account=account, with_reference=True)], booked=f"{booked_on}")
            )
        result.credits_chf += credits[-1].transactions[0].amount
    reports: dict[str, list[Entry]] = {}
    if credits:
        reports[account] = credits
    for batch in batches:
        payouts = sorted(batch.payouts.all(), key=lambda payout: payout.pk)
        transfers = [
            Tx(
                amount=payout.amount_chf,
                end_to_end=payout.end_to_end_id,
                creditor=payout.creditor_name,
                creditor_iban=payout.creditor_iban,
                servicer_ref=f"{message_id}-D{payout.pk}",
            )
            for payout in payouts
        ]
        # the bank books a payment order as one collective debit with a detail per transfer
        entry = Entry(transfers, credit=False, booked=f"{booked_on}", servicer_ref=f"{message_id}-B{batch.pk}")
        reports.setdefault(compact_iban(batch.debtor_iban), []).append(entry)
        result.debits_chf += batch.total_chf
    (first, entries), *others = reports.items()
    created = datetime.combine(booked_on, time(6, 15), tzinfo=ZURICH)
    result.data = build(
        CamtFile(
            account=first,
            entries=entries,
            message_id=message_id,
            created=created.isoformat(timespec="seconds"),
            more_reports=[Report(other, more) for other, more in others],
        )
    )
    return result
