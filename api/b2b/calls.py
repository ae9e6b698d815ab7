"""One B2B call after authentication: tier → query → canton → limits → compute, counted in any case (denied when a
tier, canton or limit refused it)."""

from django.http import QueryDict

from api.b2b.cantons import check_canton
from api.b2b.limits import spend
from api.b2b.metering import count_call
from api.b2b.registry import ENDPOINTS, Endpoint
from api.b2b.scope import ClientScope
from api.b2b.tiers import check_tier, effective_tier
from api.errors import ApiError
from api.models import ApiKey

DENIED_CODES = frozenset({"tier_insufficient", "canton_not_allowed", "throttled"})


def call_endpoint(key: ApiKey, endpoint: Endpoint, query: QueryDict | dict) -> dict:
    client = key.client
    denied = False
    try:
        check_tier(client, endpoint.name, ENDPOINTS)
        scope = ClientScope(utility_id=client.utility_id, client=client, key=key, tier=effective_tier(client))
        # The scope goes into validation too: a community not of the client's utility is as unknown as none.
        serializer = endpoint.query_serializer(data=query, context={"scope": scope})
        serializer.is_valid(raise_exception=True)
        validated = serializer.validated_data
        if endpoint.regional:
            check_canton(client, validated.get("canton"))
        spend(key)
        return endpoint.compute(scope, dict(validated))
    except ApiError as refused:
        denied = refused.code in DENIED_CODES
        raise
    finally:
        count_call(client_id=client.pk, endpoint=endpoint.name, denied=denied)
