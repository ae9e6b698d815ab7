"""Open items: what each issued invoice, credit statement and credit note still asks for, and the bookings that
settle them (``billing.models.Settlement``). Every door books through these functions.

Sign convention: an item's open amount is what the participant still owes the community; negative when the
community owes the participant (a credit statement, an overpayment, a credit note after payment).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.actors import recorded_user
from billing.models import Invoice, InvoiceKind, Settlement, SettlementKind
from communities.models import Community, CreditHandling
from openleg.errors import DomainError
from openleg.formats import format_chf
from openleg.money import RAPPEN

ZERO = Decimal("0.00")

STATE_LABELS = {
    "open": gettext_lazy("offen"),
    "partly_paid": gettext_lazy("teilweise bezahlt"),
    "paid": gettext_lazy("bezahlt"),
    "overpaid": gettext_lazy("überzahlt"),
    "credit_open": gettext_lazy("Guthaben offen"),
    "credit_settled": gettext_lazy("Guthaben ausgeglichen"),
    "settled": gettext_lazy("ausgeglichen"),
}


_MONEY = DecimalField(max_digits=12, decimal_places=2)


def with_open_amounts(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Each item annotated with ``open_chf`` (total plus settlements) and ``fees_chf`` (reminder fees charged since
    issue), in the one query that lists them."""
    settled = Coalesce(Sum("settlements__amount_chf"), Value(ZERO), output_field=_MONEY)
    fees = Coalesce(
        Sum("settlements__amount_chf", filter=Q(settlements__kind=SettlementKind.REMINDER_FEE)),
        Value(ZERO),
        output_field=_MONEY,
    )
    return invoices.annotate(open_chf=F("total_chf") + settled, fees_chf=fees)


def state_of(invoice: Invoice) -> str:
    """The payment state of an item annotated by ``with_open_amounts``."""
    return payment_state(total=invoice.total_chf, open_chf=invoice.open_chf, charged=invoice.fees_chf)


def open_amounts(invoice_ids) -> dict[int, Decimal]:
    """Open amount per item, in one query."""
    rows = with_open_amounts(Invoice.objects.filter(pk__in=list(invoice_ids))).values_list("pk", "open_chf")
    # quantized: SQLite sums decimals as floats ("-127.6300000000000"); the amounts are whole Rappen already
    return {pk: amount.quantize(RAPPEN) for pk, amount in rows}


def open_amount(invoice: Invoice) -> Decimal:
    return open_amounts([invoice.pk])[invoice.pk]


def payment_state(*, total: Decimal, open_chf: Decimal, charged: Decimal = ZERO) -> str:
    """``open``, ``partly_paid``, ``paid`` or ``overpaid`` for an amount due; ``credit_open`` or ``credit_settled``
    for a credit; ``settled`` for an item that never asked for anything. ``charged`` are fees added since issue."""
    due = total + charged
    if due > 0:
        if open_chf == due:
            return "open"
        if open_chf > 0:
            return "partly_paid"
        return "paid" if open_chf == 0 else "overpaid"
    if due < 0:
        return "credit_open" if open_chf != 0 else "credit_settled"
    return "overpaid" if open_chf < 0 else ("open" if open_chf > 0 else "settled")


def _locked(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


def settlement_book(
    *,
    invoice: Invoice,
    kind: SettlementKind | str,
    amount: Decimal,
    booked_on: date,
    actor,
    door: str,
    note: str = "",
    counterpart: Invoice | None = None,
) -> Settlement:
    """Book one settlement on an item (inside the caller's transaction or its own)."""
    if not isinstance(amount, Decimal) or amount == 0:
        raise DomainError(_("Ein Betrag von CHF 0.00 wird nicht gebucht."), code="zero_amount")
    with transaction.atomic():
        _locked(invoice)
        return Settlement.objects.create(
            invoice=invoice,
            kind=kind,
            amount_chf=amount,
            booked_on=booked_on,
            counterpart=counterpart,
            note=note[:300],
            created_by=recorded_user(actor),
            door=door,
        )


def is_cancelled(invoice: Invoice) -> bool:
    return Invoice.objects.filter(corrects=invoice).exists()


def payment_book(*, invoice: Invoice, amount: Decimal, booked_on: date, actor, door: str, note: str = "") -> Settlement:
    """A payment received for an invoice. A cancelled invoice takes none: its money must be assigned by a person."""
    if amount <= 0:
        raise DomainError(_("Ein Zahlungseingang muss positiv sein."), code="not_a_credit")
    if invoice.kind == InvoiceKind.CREDIT_NOTE or is_cancelled(invoice):
        raise DomainError(
            _("%(invoice)s ist storniert; die Zahlung von CHF %(amount)s wird nicht darauf gebucht.")
            % {"invoice": invoice, "amount": format_chf(amount)},
            code="invoice_cancelled",
        )
    return settlement_book(
        invoice=invoice,
        kind=SettlementKind.PAYMENT,
        amount=-amount,
        booked_on=booked_on,
        actor=actor,
        door=door,
        note=note,
    )


def cancellation_offset(*, original: Invoice, credit_note: Invoice, booked_on: date, actor, door: str) -> None:
    """A credit note and the item it reverses settle each other as far as the original is still open; what was
    already paid (or paid out) stays open on the credit note, to be paid out or carried over."""
    still_open = open_amount(original)
    if still_open:
        note = _("Ausgleich durch %(note)s") % {"note": credit_note}
        settlement_book(
            invoice=original,
            kind=SettlementKind.CANCELLATION,
            amount=-still_open,
            booked_on=booked_on,
            actor=actor,
            door=door,
            note=note,
            counterpart=credit_note,
        )
        settlement_book(
            invoice=credit_note,
            kind=SettlementKind.CANCELLATION,
            amount=still_open,
            booked_on=booked_on,
            actor=actor,
            door=door,
            note=_("Ausgleich mit %(original)s") % {"original": original},
            counterpart=original,
        )


@dataclass(frozen=True)
class Carry:
    """An open item to be settled by a line on a participant's next invoice."""

    invoice: Invoice
    amount: Decimal  # open amount, negative for a credit


def carry_overs(*, community: Community, participant_ids) -> dict[int, list[Carry]]:
    """Per participant, the open items the next invoice settles: credits where the community carries them over,
    and what a credit note asks back (it has no payment slip: it is always offset with the next invoice)."""
    candidates = Invoice.objects.filter(community=community, participant_id__in=list(participant_ids))
    if community.credit_handling != CreditHandling.CARRY_OVER:
        candidates = candidates.filter(kind=InvoiceKind.CREDIT_NOTE)
    else:
        candidates = candidates.filter(
            Q(kind__in=(InvoiceKind.CREDIT_NOTE, InvoiceKind.CREDIT_STATEMENT)) | Q(settlements__isnull=False)
        )
    # a credit in a payout file that the bank has not executed yet is the bank's now, not the next invoice's
    # (``payouts`` is the reverse name of payments.Payout.invoice: read by name, billing does not import payments)
    candidates = candidates.exclude(payouts__live=True)
    items = list(candidates.distinct().order_by("number"))
    amounts = open_amounts(item.pk for item in items)
    carries: dict[int, list[Carry]] = {}
    for item in items:
        amount = amounts[item.pk]
        carry = amount > 0 and item.kind == InvoiceKind.CREDIT_NOTE
        carry |= amount < 0 and community.credit_handling == CreditHandling.CARRY_OVER
        if carry:
            carries.setdefault(item.participant_id, []).append(Carry(item, amount))
    return carries


def carry_over_book(*, item: Invoice, onto: Invoice, amount: Decimal, booked_on: date, actor, door: str) -> Settlement:
    """Settle ``item`` by the line of ``amount`` (its open amount when the run was computed) on invoice ``onto``.

    Refused when the item's open amount is no longer that amount: it was paid, paid out or carried meanwhile."""
    with transaction.atomic():
        _locked(item)
        now_open = open_amount(item)
        if now_open != amount:
            raise DomainError(
                _(
                    "Der offene Betrag von %(item)s ist jetzt CHF %(now)s statt CHF %(then)s wie bei der Berechnung; "
                    "bitte berechnen Sie den Lauf neu."
                )
                % {"item": item, "now": format_chf(now_open), "then": format_chf(amount)},
                code="stale_run",
            )
        return settlement_book(
            invoice=item,
            kind=SettlementKind.CARRY_OVER,
            amount=-amount,
            booked_on=booked_on,
            actor=actor,
            door=door,
            note=_("verrechnet mit %(invoice)s") % {"invoice": onto},
            counterpart=onto,
        )
