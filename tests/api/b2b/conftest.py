import pytest
from django.core.cache import cache

from tests.billing.conftest import march_community  # noqa: F401  (five participants, March 2026)


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached figures live in Redis across tests: every test starts without any."""
    cache.clear()
    yield
    cache.clear()
