"""The B2B endpoints, declared once: each is one entry here, and its address, its tier rule, its canton rule, its
limits, its metering and its OpenAPI operation all follow from the entry (``api.b2b.views``).

``compute(scope, query)`` is a plain function over the domain's selectors: ``scope`` says who asks (the utility a
client belongs to, or None) and ``query`` is the validated query. A regional endpoint's validated query carries
``"canton"`` (a canton code, or None for all of Switzerland; a serializer that takes a municipality or a community
sets it in ``validate``), which is checked against the client's allowed cantons.
"""

from collections.abc import Callable
from dataclasses import dataclass

from rest_framework import serializers

from api.b2b.scope import ClientScope


@dataclass(frozen=True)
class Example:
    query: dict
    answer: dict


@dataclass(frozen=True)
class Endpoint:
    name: str  # the address under /api/v1/ and the name tiers list
    summary: str  # English, one line, for the OpenAPI operation
    query_serializer: type[serializers.Serializer]
    answer_serializer: type[serializers.Serializer]
    compute: Callable[[ClientScope, dict], dict]
    example: Example
    regional: bool = True  # False: not about a region (``status``), no canton check
    description: str = ""


ENDPOINTS: dict[str, Endpoint] = {}


def register(endpoint: Endpoint) -> Endpoint:
    if endpoint.name in ENDPOINTS:
        raise ValueError(f"endpoint {endpoint.name} registered twice")
    ENDPOINTS[endpoint.name] = endpoint
    return endpoint
