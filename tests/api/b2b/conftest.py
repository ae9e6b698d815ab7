import pytest
from django.core.cache import cache

from api.b2b.cache import GENERATION_KEY
from tests.billing.conftest import march_community  # noqa: F401  (five participants, March 2026)


@pytest.fixture(autouse=True)
def fresh_generation():
    """Cached figures live in Redis across tests: every test starts a generation of its own, so it finds none.

    Not ``cache.clear()``: sessions and throttle counters of tests running in parallel share the Redis database."""
    cache.delete(GENERATION_KEY)
