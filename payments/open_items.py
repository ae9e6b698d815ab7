"""Open items: every issued invoice, credit statement and credit note that is not settled, per participant, with
its age and the ageing buckets staff read (not due, 1–30, 31–60, 61–90, over 90 days overdue).

One query for the items with their open amounts, whatever the number of participants. An amount the participant
owes (positive) ages from its due date; a credit (negative: the community owes it) is listed apart, it is never
overdue from the participant's side.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice
from billing.receivables import STATE_LABELS, state_of, with_open_amounts
from openleg.formats import format_chf

ZERO = Decimal("0.00")
BUCKETS = (
    ("not_due", _("nicht fällig")),
    ("days_1_30", _("1–30 Tage")),
    ("days_31_60", _("31–60 Tage")),
    ("days_61_90", _("61–90 Tage")),
    ("days_over_90", _("über 90 Tage")),
    ("credit", _("Guthaben")),
)


def bucket_of(open_chf: Decimal, days_overdue: int) -> str:
    if open_chf < 0:
        return "credit"
    if days_overdue <= 0:
        return "not_due"
    if days_overdue <= 30:
        return "days_1_30"
    if days_overdue <= 60:
        return "days_31_60"
    return "days_61_90" if days_overdue <= 90 else "days_over_90"


@dataclass
class OpenItem:
    invoice: Invoice
    open_chf: Decimal
    state: str
    state_label: str
    days_overdue: int
    bucket: str

    @property
    def open_text(self) -> str:
        return format_chf(self.open_chf)

    @property
    def total_text(self) -> str:
        return format_chf(self.invoice.total_chf)


@dataclass
class ParticipantItems:
    participant: object
    items: list[OpenItem] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((item.open_chf for item in self.items), ZERO)

    @property
    def total_text(self) -> str:
        return format_chf(self.total)


@dataclass
class OpenItems:
    participants: list[ParticipantItems]
    totals: dict[str, Decimal]  # per bucket

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), ZERO)


def open_items(*, community=None, today: date) -> OpenItems:
    """The open items of one community (or of all), by participant; ``today`` in Europe/Zurich."""
    query = Invoice.objects.select_related("participant", "community")
    if community is not None:
        query = query.filter(community=community)
    query = (
        with_open_amounts(query)
        .filter(~Q(open_chf=0))
        .order_by("community__name", "participant__customer_number", "due_date", "number")
    )
    by_participant: dict[int, ParticipantItems] = {}
    totals = {key: ZERO for key, _label in BUCKETS}
    for invoice in query:
        open_chf = invoice.open_chf
        days = (today - invoice.due_date).days if open_chf > 0 else 0
        state = state_of(invoice)
        item = OpenItem(invoice, open_chf, state, str(STATE_LABELS[state]), max(days, 0), bucket_of(open_chf, days))
        group = by_participant.setdefault(invoice.participant_id, ParticipantItems(invoice.participant))
        group.items.append(item)
        totals[item.bucket] += open_chf
    return OpenItems(list(by_participant.values()), totals)
