"""Fixtures of the subscription tests."""

from tests.subscriptions.stripe_http import stripe_http  # noqa: F401 (a fixture for every test here)
