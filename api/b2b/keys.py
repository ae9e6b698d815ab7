"""B2B API clients and their keys: a key's secret is shown once, stored as its SHA-256, found by that hash and
revoked by its prefix. The hashing and the secret come from ``api.tokens`` (the agent tokens use the same)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.errors import ApiError
from api.models import ApiClient, ApiKey, ApiTier
from api.tokens import new_secret, secret_hash
from openleg.errors import DomainError
from pipeline.cantons import Canton

KEY_PREFIX = "olk_"  # OpenLEG key: recognisable in logs and by secret scanners
PREFIX_LENGTH = 12  # "olk_" and 8 characters of the random part: what lists, the portal and revoke show


class KeyRefused(DomainError):
    code = "key_refused"


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str  # shown once; only its hash is stored


def api_client_check(
    *, tier: str, allowed_cantons: list[str], limits: dict[str, int] | None = None, utility=None, client_pk=None
) -> None:
    """The rules a client keeps (``KeyRefused`` naming the field): the command and the admin share them. A utility
    has one client (its portal users' keys belong to it)."""
    if utility is not None:
        other = ApiClient.objects.filter(utility=utility).exclude(pk=client_pk).first()
        if other is not None:
            raise KeyRefused(
                _("%(utility)s hat schon den API-Kunden «%(client)s»; weitere Schlüssel bitte dort erstellen.")
                % {"utility": utility.name, "client": other.company},
                field="utility",
            )
    for name, value in (limits or {}).items():
        if value < 1:
            raise KeyRefused(_("Ein Limit muss mindestens 1 Aufruf sein."), field=name)
    if tier not in ApiTier.values:
        raise KeyRefused(
            _("Unbekannte Stufe «%(tier)s»; möglich sind: %(tiers)s.")
            % {"tier": tier, "tiers": ", ".join(ApiTier.values)},
            field="tier",
        )
    unknown = sorted(set(allowed_cantons) - set(Canton.values))
    if unknown:
        raise KeyRefused(
            _("Unbekannter Kanton: %(cantons)s.") % {"cantons": ", ".join(unknown)}, field="allowed_cantons"
        )


def api_client_create(
    *, company: str, tier: str, utility=None, allowed_cantons: list[str] | tuple = (), hourly_limit: int | None = None,
    daily_limit: int | None = None, contact_name: str = "", contact_email: str = "", endpoints: list[str] | tuple = (),
) -> ApiClient:
    cantons = sorted(set(allowed_cantons))
    given = {"hourly_limit": hourly_limit, "daily_limit": daily_limit}
    limits = {name: value for name, value in given.items() if value is not None}  # else the settings' defaults
    api_client_check(tier=tier, allowed_cantons=cantons, limits=limits, utility=utility)
    return ApiClient.objects.create(
        company=company, tier=tier, utility=utility, allowed_cantons=cantons, contact_name=contact_name,
        contact_email=contact_email, endpoints=list(endpoints), **limits,
    )


def api_key_create(*, client: ApiClient, name: str, created_by=None) -> NewKey:
    secret = new_secret(KEY_PREFIX)
    key = ApiKey.objects.create(
        client=client, name=name, prefix=secret[:PREFIX_LENGTH], secret_hash=secret_hash(secret), created_by=created_by
    )
    return NewKey(key=key, secret=secret)


def api_key_revoke(*, prefix: str, client: ApiClient | None = None) -> ApiKey:
    """Revoke the key with ``prefix`` (of ``client`` when given: another client's key is as unknown as none)."""
    with transaction.atomic():
        keys = ApiKey.objects.select_for_update().filter(prefix=prefix)
        if client is not None:
            keys = keys.filter(client=client)
        key = keys.first()
        if key is None:
            raise KeyRefused(_("Kein API-Schlüssel mit dem Präfix «%(prefix)s».") % {"prefix": prefix}, field="prefix")
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
    return key


def utility_api_client(utility) -> ApiClient | None:
    """The utility's own API client (the one its portal users' keys belong to), if it has one."""
    return ApiClient.objects.filter(utility=utility).order_by("pk").first()


def utility_key_create(*, utility, name: str, created_by) -> NewKey:
    """A key made in the portal; the utility's first key also makes its client (tier: the plan's, or starter)."""
    with transaction.atomic():
        type(utility).objects.select_for_update().filter(pk=utility.pk).first()  # one first client, not two
        client = utility_api_client(utility)
        if client is None:
            client = api_client_create(
                company=utility.name, tier=_subscription_tier(utility) or ApiTier.STARTER, utility=utility,
                contact_name=created_by.get_full_name(), contact_email=created_by.email,
            )
        return api_key_create(client=client, name=name, created_by=created_by)


def _subscription_tier(utility) -> str:
    from subscriptions.models import UtilitySubscription

    return UtilitySubscription.objects.filter(utility=utility).values_list("api_tier", flat=True).first() or ""


def key_for_secret(secret: str) -> ApiKey:
    """The usable key for a secret, with its client (and the client's utility and subscription), or 401."""
    key = (
        ApiKey.objects.select_related("client__utility__subscription")
        .filter(secret_hash=secret_hash(secret))
        .first()
    )
    if key is None:
        raise ApiError("key_invalid", _("Unbekannter API-Schlüssel."), status=401)
    if key.revoked_at is not None:
        raise ApiError("key_revoked", _("Dieser API-Schlüssel ist widerrufen."), status=401)
    if not key.client.active:
        raise ApiError("client_inactive", _("Der Zugang dieses API-Kunden ist deaktiviert."), status=401)
    return key
