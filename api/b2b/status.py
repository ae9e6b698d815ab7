"""``/api/v1/status``: who the key belongs to, its tier and limits, what it used this hour and today, and what is
open to it. Open to every tier."""

from rest_framework import serializers

from api.b2b.limits import usage
from api.b2b.registry import ENDPOINTS, Endpoint, Example, register
from api.b2b.scope import ClientScope
from api.b2b.tiers import open_endpoints


class StatusQuery(serializers.Serializer):
    pass


class ClientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    company = serializers.CharField()
    utility_id = serializers.IntegerField(allow_null=True)


class KeySerializer(serializers.Serializer):
    prefix = serializers.CharField()
    name = serializers.CharField()


class WindowSerializer(serializers.Serializer):
    calls = serializers.IntegerField(help_text="Calls of this key counted in the window (this one included).")
    limit = serializers.IntegerField()
    remaining = serializers.IntegerField()
    resets_at = serializers.DateTimeField(help_text="When the window frees (UTC).")


class UsageSerializer(serializers.Serializer):
    this_hour = WindowSerializer()
    today = WindowSerializer(help_text="The Europe/Zurich calendar day.")


class StatusAnswer(serializers.Serializer):
    client = ClientSerializer()
    key = KeySerializer()
    tier = serializers.ChoiceField(
        choices=["starter", "professional", "enterprise"], allow_null=True,
        help_text="null: the utility's subscription grants no API tier at present (only `status` is open).",
    )
    usage = UsageSerializer()
    allowed_cantons = serializers.ListField(
        child=serializers.CharField(), help_text="Canton codes this client may ask about; empty: all of Switzerland."
    )
    endpoints = serializers.ListField(child=serializers.CharField(), help_text="Endpoints open to this client.")


def _utc(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def status(scope: ClientScope, query: dict) -> dict:
    client, key = scope.client, scope.key
    windows = usage(key)
    return {
        "client": {"id": client.pk, "company": client.company, "utility_id": client.utility_id},
        "key": {"prefix": key.prefix, "name": key.name},
        "tier": scope.tier,
        "usage": {
            label: {
                "calls": windows[name].calls,
                "limit": windows[name].limit,
                "remaining": max(0, windows[name].limit - windows[name].calls),
                "resets_at": _utc(windows[name].resets_at),
            }
            for label, name in (("this_hour", "hourly"), ("today", "daily"))
        },
        "allowed_cantons": list(client.allowed_cantons),
        "endpoints": open_endpoints(client, ENDPOINTS),
    }


EXAMPLE = Example(
    query={},
    answer={
        "client": {"id": 7, "company": "Solarplan AG", "utility_id": None},
        "key": {"prefix": "olk_Xq3vB9kd", "name": "Produktion"},
        "tier": "starter",
        "usage": {
            "this_hour": {"calls": 12, "limit": 1000, "remaining": 988, "resets_at": "2026-05-04T09:00:00Z"},
            "today": {"calls": 140, "limit": 10000, "remaining": 9860, "resets_at": "2026-05-04T22:00:00Z"},
        },
        "allowed_cantons": ["AG", "ZH"],
        "endpoints": ["formation-pipeline", "solar-index", "status"],
    },
)

STATUS = register(
    Endpoint(
        name="status", summary="The client, its tier, limits, usage and open endpoints",
        query_serializer=StatusQuery, answer_serializer=StatusAnswer, compute=status, example=EXAMPLE,
        regional=False,
        description="Who this key belongs to, its tier, its hourly and daily limits with the calls used this hour "
        "and this Europe/Zurich day (this call included), the cantons it may ask about and the endpoints open to it.",
    )
)
