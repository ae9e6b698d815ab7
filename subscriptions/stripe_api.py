"""Stripe, the one outside system for subscriptions: the only module of ours that imports ``stripe`` (dj-stripe
aside). Every call carries the key of the current mode (live or test, as dj-stripe reads it from the settings), the
pinned API version and a timeout; tests replace Stripe at the HTTP layer (the SDK uses ``requests``).

The functions are thin on purpose: they name what we ask of Stripe and return Stripe's objects (dict-like).
"""

import logging
from functools import wraps

import stripe
from django.utils.translation import gettext as _
from djstripe.settings import djstripe_settings

from openleg.errors import DomainError

TIMEOUT_SECONDS = 20
# Where the subscription page's forms lead (Checkout, the customer portal): its form-action CSP must allow them,
# or the browser stops the redirect after the post.
HOSTED_PAGES = ("https://checkout.stripe.com", "https://billing.stripe.com")
# requests with an explicit timeout (the SDK's default is 80 s); no retries on our side: the callers are people
# in a browser or a command they can run again, and Stripe's idempotency keys cover a retried creation.
_http_client = stripe.RequestsClient(timeout=TIMEOUT_SECONDS)


class PaymentsNotConfigured(DomainError):
    code = "payments_not_configured"

    def __init__(self) -> None:
        super().__init__(_("Zahlungen sind nicht eingerichtet: es ist kein Stripe-Schlüssel gesetzt."))


class StripeRefused(DomainError):
    """Stripe could not be reached or refused the call: the person sees this, the log has Stripe's own words."""

    code = "stripe_error"

    def __init__(self) -> None:
        super().__init__(
            _("Stripe hat die Anfrage nicht angenommen oder ist nicht erreichbar. Bitte später erneut versuchen.")
        )


logger = logging.getLogger(__name__)


def _stripe_call(function):
    @wraps(function)
    def call(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except stripe.StripeError as error:
            logger.warning("Stripe refused %s: %s", function.__name__, error)
            raise StripeRefused() from error

    return call


def secret_key() -> str:
    """The secret key of the current mode (STRIPE_LIVE_MODE picks live or test); empty when none is set."""
    return djstripe_settings.STRIPE_SECRET_KEY or ""


def payments_configured() -> bool:
    return bool(secret_key())


def _client() -> stripe.StripeClient:
    key = secret_key()
    if not key:
        raise PaymentsNotConfigured()
    return stripe.StripeClient(
        key, stripe_version=djstripe_settings.STRIPE_API_VERSION, http_client=_http_client, max_network_retries=0
    )


def _options(idempotency_key: str | None) -> dict:
    return {"idempotency_key": idempotency_key} if idempotency_key else {}


# Products and prices (the plan sync)


@_stripe_call
def products_all() -> list:
    """Every product of the account, active or not (the plan sync looks for its own by metadata)."""
    return list(_client().v1.products.list({"limit": 100}).auto_paging_iter())


@_stripe_call
def product_create(*, name: str, metadata: dict) -> stripe.Product:
    return _client().v1.products.create({"name": name, "metadata": metadata})


@_stripe_call
def product_update(product_id: str, **params) -> stripe.Product:
    return _client().v1.products.update(product_id, params)


@_stripe_call
def prices_by_lookup_keys(lookup_keys: list[str]) -> list:
    """The active prices carrying one of ``lookup_keys`` (Stripe keeps a lookup key on one active price at most)."""
    answer = _client().v1.prices.list({"lookup_keys": lookup_keys, "active": True, "limit": 100})
    return list(answer.auto_paging_iter())


@_stripe_call
def price_create(**params) -> stripe.Price:
    return _client().v1.prices.create(params)


@_stripe_call
def price_deactivate(price_id: str) -> stripe.Price:
    return _client().v1.prices.update(price_id, {"active": False})


# Customers, Checkout and the customer portal


@_stripe_call
def customer_create(*, name: str, email: str | None, metadata: dict, idempotency_key: str) -> stripe.Customer:
    params = {"name": name, "metadata": metadata}
    if email:
        params["email"] = email
    return _client().v1.customers.create(params, _options(idempotency_key))


@_stripe_call
def checkout_session_create(params: dict, *, idempotency_key: str | None = None) -> stripe.checkout.Session:
    return _client().v1.checkout.sessions.create(params, _options(idempotency_key))


@_stripe_call
def billing_portal_session_create(*, customer: str, return_url: str) -> stripe.billing_portal.Session:
    return _client().v1.billing_portal.sessions.create({"customer": customer, "return_url": return_url})
