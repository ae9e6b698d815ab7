"""The plans table (subscriptions/plans.py) made true in Stripe, then copied into dj-stripe's models.

One Stripe product per plan, found by its metadata ``openleg_plan``; per interval one recurring CHF price, found by
its lookup key ``openleg_<plan>_<interval>``. Running it twice changes nothing. Stripe never changes a price's
amount: a new amount is a new price that takes the lookup key over (``transfer_lookup_key``), and the old price is
deactivated (subscriptions on it keep it until they change plan).
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from djstripe.models import Price as DjstripePrice
from djstripe.models import Product as DjstripeProduct

from openleg.formats import format_chf_text
from subscriptions import stripe_api
from subscriptions.plans import INTERVALS, PLANS, Plan

PLAN_METADATA_KEY = "openleg_plan"
CURRENCY = "chf"


def lookup_key(plan_key: str, interval: str) -> str:
    return f"openleg_{plan_key}_{interval}"


def interval_label(interval: str) -> str:
    return {"month": _("monatlich"), "year": _("jährlich")}[interval]


def _chf(rappen: int) -> str:
    return format_chf_text(Decimal(rappen) / 100)


def plans_sync() -> list[str]:
    """Create or update every plan's product and prices in Stripe and dj-stripe; one German line per plan saying
    what was done ("Starter: Produkt angelegt, Preis monatlich CHF 990.00 angelegt, …" or "Starter: unverändert").
    Raises PaymentsNotConfigured without a key."""
    products = {
        product.metadata[PLAN_METADATA_KEY]: product
        for product in stripe_api.products_all()
        if PLAN_METADATA_KEY in (product.metadata or {})
    }
    keys = [lookup_key(plan_key, interval) for plan_key in PLANS for interval in INTERVALS]
    prices = {price.lookup_key: price for price in stripe_api.prices_by_lookup_keys(keys)}
    return [_plan_sync(plan, products.get(plan.key), prices) for plan in PLANS.values()]


def _plan_sync(plan: Plan, product, prices: dict) -> str:
    done = []
    name = str(plan.name)
    if product is None:
        product = stripe_api.product_create(name=name, metadata={PLAN_METADATA_KEY: plan.key})
        done.append(_("Produkt angelegt"))
    elif product.name != name or not product.active:
        product = stripe_api.product_update(product.id, name=name, active=True)
        done.append(_("Produkt aktualisiert"))
    DjstripeProduct.sync_from_stripe_data(product)
    for interval in INTERVALS:
        done.extend(_price_sync(plan, interval, product.id, prices.get(lookup_key(plan.key, interval))))
    return f"{name}: {', '.join(done) or _('unverändert')}"


def _price_sync(plan: Plan, interval: str, product_id: str, current) -> list[str]:
    amount = plan.amount_rappen(interval)
    label = interval_label(interval)
    if current is not None and _fits(current, amount, interval, product_id):
        DjstripePrice.sync_from_stripe_data(current)
        return []
    created = stripe_api.price_create(
        product=product_id,
        currency=CURRENCY,
        unit_amount=amount,
        recurring={"interval": interval},
        lookup_key=lookup_key(plan.key, interval),
        # Takes the key from the old price, or from one archived by hand in Stripe's dashboard (which keeps it).
        transfer_lookup_key=True,
        metadata={PLAN_METADATA_KEY: plan.key},
    )
    DjstripePrice.sync_from_stripe_data(created)
    if current is None:
        return [_("Preis %(interval)s %(amount)s angelegt") % {"interval": label, "amount": _chf(amount)}]
    DjstripePrice.sync_from_stripe_data(stripe_api.price_deactivate(current.id))
    return [
        _("Preis %(interval)s %(amount)s angelegt (bisher %(old)s, alter Preis deaktiviert)")
        % {"interval": label, "amount": _chf(amount), "old": _chf(current.unit_amount)}
    ]


def _fits(price, amount: int, interval: str, product_id: str) -> bool:
    recurring = price.recurring or {}
    return (
        price.unit_amount == amount
        and price.currency == CURRENCY
        and recurring.get("interval") == interval
        and recurring.get("interval_count", 1) == 1
        and price.product == product_id
    )
