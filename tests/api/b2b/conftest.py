"""B2B clients and keys, an API client that sends a key, and a test-only regional endpoint registered around a test
(the addresses are generated from the registry, so they are rebuilt around it)."""

import importlib
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from django.urls import clear_url_caches
from rest_framework import serializers
from rest_framework.test import APIClient

from api.b2b.cache import GENERATION_KEY
from api.b2b.keys import api_client_create, api_key_create
from api.b2b.query_fields import QueryCantonField, QueryIntegerField
from api.b2b.registry import ENDPOINTS, Endpoint, Example
from tests.billing.conftest import march_community  # noqa: F401  (five participants, March 2026)

STATUS_URL = "/api/v1/status"
FIGURES_URL = "/api/v1/test-figures"


@pytest.fixture
def make_client(db):
    def make(*, company="Solarplan AG", tier="professional", **extra):
        return api_client_create(company=company, tier=tier, **extra)

    return make


@pytest.fixture
def make_key(make_client):
    """A new key (``.key``, ``.secret``) of a new client made with ``extra``, or of ``client``."""

    def make(*, client=None, name="Produktion", **extra):
        return api_key_create(client=client or make_client(**extra), name=name)

    return make


@pytest.fixture
def keyed():
    """An API client that sends ``secret`` as a bearer key (or in X-API-Key with ``header="x-api-key"``)."""

    def client_for(secret: str, *, header: str = "bearer") -> APIClient:
        client = APIClient()
        if header == "bearer":
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        else:
            client.credentials(HTTP_X_API_KEY=secret)
        return client

    return client_for


class FiguresQuery(serializers.Serializer):
    canton = QueryCantonField(required=False)
    year = QueryIntegerField(min_value=2000, max_value=2100)


class FiguresAnswer(serializers.Serializer):
    canton = serializers.CharField(allow_null=True)
    year = serializers.IntegerField()
    utility_id = serializers.IntegerField(allow_null=True)


def figures(scope, query) -> dict:
    return {"canton": query.get("canton"), "year": query["year"], "utility_id": scope.utility_id}


TEST_ENDPOINT = Endpoint(
    name="test-figures", summary="Figures of a canton and a year. For tests.", query_serializer=FiguresQuery,
    answer_serializer=FiguresAnswer, compute=figures,
    example=Example(query={"canton": "ZH", "year": 2025}, answer={"canton": "ZH", "year": 2025, "utility_id": None}),
)


def _rebuild_urls():
    import api.b2b.urls
    import api.urls
    import openleg.urls

    importlib.reload(api.b2b.urls)
    importlib.reload(api.urls)
    importlib.reload(openleg.urls)
    clear_url_caches()


@contextmanager
def endpoint_registered(endpoint: Endpoint):
    ENDPOINTS[endpoint.name] = endpoint
    _rebuild_urls()
    try:
        yield endpoint
    finally:
        ENDPOINTS.pop(endpoint.name, None)
        _rebuild_urls()


@pytest.fixture
def test_endpoint():
    with endpoint_registered(TEST_ENDPOINT) as endpoint:
        yield endpoint


def aware(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_windows():
    """Limit windows live in the cache: every test starts with none (only ours: sessions live there too)."""
    from django.core.cache import cache

    def forget():
        if hasattr(cache, "delete_pattern"):  # Redis
            cache.delete_pattern("b2b-*")
        else:
            cache.clear()

    forget()
    yield
    forget()


@pytest.fixture(autouse=True)
def fresh_generation():
    """Cached figures live in Redis across tests: every test starts a generation of its own, so it finds none.

    Not ``cache.clear()``: sessions and throttle counters of tests running in parallel share the Redis database."""
    import secrets

    from django.core.cache import cache

    # Not deleted: a lost counter restarts from the clock, and tests that freeze the clock at the same moment would
    # then share a generation.
    cache.set(GENERATION_KEY, secrets.randbits(62), timeout=None)
