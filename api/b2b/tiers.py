"""Which endpoints a client's tier opens. Starter: three; professional: every endpoint of the registry; enterprise:
the client's own list (empty: all). A client of a utility with a subscription record follows it: the plan's API
tier while the subscription grants one, no tier (only ``status``) once it is withdrawn (churn, unpaid beyond grace).
A client whose utility has no subscription record (or no utility) has its own tier."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from api.errors import ApiError
from api.models import ApiClient, ApiTier

STARTER = frozenset({"status", "solar-index", "formation-pipeline"})
ALWAYS_OPEN = frozenset({"status"})  # a client may always ask what it has


def effective_tier(client: ApiClient) -> str | None:
    """The tier the client calls with: its utility's subscription tier (None: withdrawn) when the utility has a
    subscription record, otherwise its own."""
    subscription = _subscription(client)
    if subscription is not None:
        return subscription.api_tier or None
    return client.tier


def tier_endpoints(tier: str | None, all_endpoints, *, custom=()) -> frozenset[str]:
    """The endpoint names ``tier`` opens among ``all_endpoints`` (``custom``: an enterprise client's own list)."""
    names = frozenset(all_endpoints)
    if tier is None:
        return ALWAYS_OPEN & names
    if tier == ApiTier.STARTER:
        return STARTER & names
    if tier == ApiTier.ENTERPRISE and custom:
        return (frozenset(custom) | ALWAYS_OPEN) & names
    return names


def open_endpoints(client: ApiClient, all_endpoints) -> list[str]:
    tier = effective_tier(client)
    return sorted(tier_endpoints(tier, all_endpoints, custom=client.endpoints if tier == ApiTier.ENTERPRISE else ()))


def check_tier(client: ApiClient, endpoint: str, all_endpoints) -> None:
    """403 ``tier_insufficient`` naming the tier that would open ``endpoint``."""
    if endpoint in open_endpoints(client, all_endpoints):
        return
    tier = effective_tier(client)
    labels = dict(ApiTier.choices)
    if tier == ApiTier.ENTERPRISE:  # a custom set: the contract opens it, not a higher tier
        required = ApiTier.ENTERPRISE
        message = _("Der Endpunkt «%(endpoint)s» ist in Ihrem Enterprise-Vertrag nicht freigegeben.")
    elif tier is None:
        required = ApiTier.STARTER if endpoint in STARTER else ApiTier.PROFESSIONAL
        message = _(
            "Das Abonnement Ihres Netzbetreibers gewährt zurzeit keinen API-Zugang; den Endpunkt «%(endpoint)s» "
            "öffnet die Stufe «%(required)s»."
        )
    else:
        required = ApiTier.STARTER if endpoint in STARTER else ApiTier.PROFESSIONAL
        message = _(
            "Der Endpunkt «%(endpoint)s» ist in Ihrer Stufe «%(tier)s» nicht enthalten; ihn öffnet die Stufe "
            "«%(required)s»."
        )
    raise ApiError(
        "tier_insufficient",
        message % {"endpoint": endpoint, "tier": labels.get(tier, tier), "required": labels[required]},
        status=403,
        details={"tier": tier, "required_tier": str(required)},
    )


def _subscription(client: ApiClient):
    if client.utility_id is None:
        return None
    try:
        return client.utility.subscription
    except ObjectDoesNotExist:
        return None
