"""Shared fixtures, and the rule that in CI a test needing PostgreSQL, Redis, a browser or the fault tests' private
servers runs or fails, never skips."""

import os

import pytest
from django.conf import settings
from django.db import connection

from tests.browser import missing_browser

REQUIRE_SERVICES = os.environ.get("OPENLEG_REQUIRE_SERVICES") == "1"


def _missing_service(item) -> str | None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "PostgreSQL (DATABASE_URL)"
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        return "Redis (REDIS_URL)"
    if item.get_closest_marker("browser"):
        return missing_browser()
    if item.get_closest_marker("faults"):
        from tests.faults.servers import missing_fault_tools

        return missing_fault_tools()
    return None


def pytest_runtest_setup(item):
    missing = _missing_service(item)
    if missing and REQUIRE_SERVICES:
        pytest.fail(f"{item.nodeid} needs {missing}, which OPENLEG_REQUIRE_SERVICES=1 makes mandatory")
    if missing:
        pytest.skip(f"needs {missing}")


@pytest.fixture
def staff_user(db):
    from tests.accounts.factories import StaffUserFactory

    return StaffUserFactory()


@pytest.fixture
def staff(client, staff_user):
    """The test client, logged in as staff."""
    client.force_login(staff_user)
    return client


@pytest.fixture
def utility_user(db):
    from tests.accounts.factories import UtilityUserFactory

    return UtilityUserFactory()
