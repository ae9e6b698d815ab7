"""Reads of a utility's subscription, from dj-stripe's copies of Stripe's objects (kept current by the webhooks)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from djstripe.models import Invoice, Subscription
from djstripe.settings import djstripe_settings

from subscriptions.plans import PLANS

# A subscription in these states is the utility's: a new checkout would make a second one (an unpaid or paused
# one is mended in the customer portal, by paying or adding a payment method).
LIVE_STATUSES = ("active", "trialing", "past_due", "unpaid", "paused")


def _subscriptions_of(utility):
    return Subscription.objects.filter(customer__subscriber=utility, livemode=djstripe_settings.STRIPE_LIVE_MODE)


def current_subscription(utility) -> Subscription | None:
    """The utility's live subscription in the current mode (the newest, should Stripe hold two)."""
    return _subscriptions_of(utility).filter(stripe_data__status__in=LIVE_STATUSES).order_by("-created").first()


def ended_subscription(utility) -> Subscription | None:
    """The utility's last cancelled subscription, for the page to say what ended when no subscription runs."""
    return _subscriptions_of(utility).filter(stripe_data__status="canceled").order_by("-created").first()


def past_invoices(utility, *, limit: int = 24) -> list[Invoice]:
    """The utility's Stripe invoices, newest first (drafts are not shown: they are not invoices yet)."""
    invoices = Invoice.objects.filter(
        customer__subscriber=utility, livemode=djstripe_settings.STRIPE_LIVE_MODE
    ).exclude(stripe_data__status="draft")
    return list(invoices.order_by("-created")[:limit])


@dataclass(frozen=True)
class SubscriptionView:
    """What the portal shows of a subscription; amounts in CHF, moments aware."""

    plan_name: str
    interval: str  # "month" | "year" | ""
    status: str
    status_label: str
    trial_end: datetime | None
    next_invoice_at: datetime | None  # None when the subscription ends at the period's end
    next_amount_chf: Decimal | None
    ends_at: datetime | None
    ended_at: datetime | None  # when a cancelled subscription ended


@dataclass(frozen=True)
class InvoiceRow:
    number: str
    created: datetime
    total_chf: Decimal
    status_label: str
    hosted_url: str
    pdf_url: str


STATUS_LABELS = {
    "trialing": _("Testphase"),
    "active": _("aktiv"),
    "past_due": _("Zahlung überfällig"),
    "unpaid": _("unbezahlt"),
    "canceled": _("gekündigt"),
    "incomplete": _("Zahlung ausstehend"),
    "incomplete_expired": _("abgelaufen"),
    "paused": _("pausiert"),
}
INVOICE_STATUS_LABELS = {
    "open": _("offen"),
    "paid": _("bezahlt"),
    "void": _("storniert"),
    "uncollectible": _("uneinbringlich"),
}


def _moment(timestamp) -> datetime | None:
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp else None


def _chf(rappen) -> Decimal | None:
    return None if rappen is None else Decimal(int(rappen)) / 100


def subscription_view(subscription: Subscription) -> SubscriptionView:
    """The plan, status and next invoice of ``subscription`` as Stripe last told us (API 2026-05-27: the billing
    period sits on the subscription's items)."""
    data = subscription.stripe_data
    items = (data.get("items") or {}).get("data") or [{}]
    item = items[0]
    price = item.get("price") or {}
    plan_key = (data.get("metadata") or {}).get("openleg_plan") or (price.get("metadata") or {}).get("openleg_plan")
    plan = PLANS.get(plan_key or "")
    status = data.get("status", "")
    period_end = _moment(item.get("current_period_end"))
    ending = bool(data.get("cancel_at_period_end")) or bool(data.get("cancel_at"))
    amount = sum(int((i.get("price") or {}).get("unit_amount") or 0) * int(i.get("quantity") or 1) for i in items)
    return SubscriptionView(
        plan_name=str(plan.name) if plan else (price.get("nickname") or price.get("lookup_key") or ""),
        interval=(price.get("recurring") or {}).get("interval", ""),
        status=status,
        status_label=str(STATUS_LABELS.get(status, status)),
        trial_end=_moment(data.get("trial_end")) if status == "trialing" else None,
        next_invoice_at=None if ending else period_end,
        next_amount_chf=None if ending else _chf(amount),
        ends_at=_moment(data.get("cancel_at")) or (period_end if ending else None),
        ended_at=_moment(data.get("ended_at")) if status == "canceled" else None,
    )


def invoice_rows(utility) -> list[InvoiceRow]:
    return [
        InvoiceRow(
            number=invoice.stripe_data.get("number") or invoice.id,
            created=invoice.created,
            total_chf=_chf(invoice.stripe_data.get("total") or 0),
            status_label=str(INVOICE_STATUS_LABELS.get(invoice.stripe_data.get("status"), "")),
            hosted_url=invoice.stripe_data.get("hosted_invoice_url") or "",
            pdf_url=invoice.stripe_data.get("invoice_pdf") or "",
        )
        for invoice in past_invoices(utility)
    ]
