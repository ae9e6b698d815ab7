"""The business figures of /metrics, read from the database when Prometheus scrapes (three queries)."""

from datetime import UTC, date, datetime

import pytest

from openleg import heartbeat
from tests.billing.conftest import march_community  # noqa: F401
from tests.openleg.test_metrics_view import _samples
from tests.payments.conftest import payout_community  # noqa: F401  (March 2026 issued: 3 invoices, 2 credits)

FIGURES = (
    "openleg_meter_",
    "openleg_billing_",
    "openleg_invoices_",
    "openleg_heartbeat_",
    "openleg_metrics_source_up",
)


def _figures(client) -> dict:
    return {key: value for key, value in _samples(client.get("/metrics")).items() if key[0].startswith(FIGURES)}


@pytest.fixture
def scrape_at(monkeypatch):
    moment = {}
    monkeypatch.setattr("openleg.metrics_business.utc_now", lambda: moment["now"])
    monkeypatch.setattr(heartbeat, "utc_now", lambda: moment["now"])

    def at(*args):
        moment["now"] = datetime(*args, tzinfo=UTC)

    return at


@pytest.mark.django_db
def test_import_billing_and_invoice_figures(client, payout_community, scrape_at):  # noqa: F811
    from billing.models import BillingRun, Invoice
    from metering.models import MeterImport

    MeterImport.objects.update(applied_at=datetime(2027, 1, 5, 6, 0, tzinfo=UTC))
    BillingRun.objects.update(computed_at=datetime(2027, 1, 5, 7, 0, tzinfo=UTC))
    # The fixture issues its invoices today (due 30 days later): pin their due day, so the test runs on any day.
    Invoice.objects.update(due_date=date(2027, 1, 6))
    # 23:30 UTC is 00:30 on 6 January in Zurich: the invoices' due day, not yet overdue.
    scrape_at(2027, 1, 5, 23, 30)

    assert _figures(client) == {
        ("openleg_meter_imports", (("status", "preview"),)): 0,
        ("openleg_meter_imports", (("status", "applied"),)): 1,
        ("openleg_meter_imports", (("status", "superseded"),)): 0,
        ("openleg_meter_imports", (("status", "unchanged"),)): 0,
        ("openleg_meter_imports", (("status", "rejected"),)): 0,
        # March 2026 has 2,972 quarter-hours (the spring DST day has 92); six series were delivered
        ("openleg_meter_import_values", (("kind", "new"),)): 6 * 2972,
        ("openleg_meter_import_values", (("kind", "changed"),)): 0,
        ("openleg_meter_import_last_applied_age_seconds", ()): 17.5 * 3600,
        ("openleg_billing_runs", (("status", "draft"),)): 0,
        ("openleg_billing_runs", (("status", "approved"),)): 0,
        ("openleg_billing_runs", (("status", "issued"),)): 1,
        ("openleg_billing_runs", (("status", "cancelled"),)): 0,
        ("openleg_billing_run_last_computed_age_seconds", ()): 16.5 * 3600,
        ("openleg_invoices_open", ()): 3,  # the two credit statements owe the participants: not open items here
        ("openleg_invoices_overdue", ()): 0,
        ("openleg_metrics_source_up", (("source", "database"),)): 1,
    }

    scrape_at(2027, 1, 6, 23, 30)  # 7 January in Zurich
    figures = _figures(client)
    assert (figures[("openleg_invoices_open", ())], figures[("openleg_invoices_overdue", ())]) == (3, 3)


@pytest.mark.django_db
def test_an_empty_installation_has_zero_counts_and_no_ages(client, scrape_at):
    scrape_at(2027, 1, 5, 12, 0)
    figures = _figures(client)
    assert figures[("openleg_meter_imports", (("status", "applied"),))] == 0
    assert figures[("openleg_billing_runs", (("status", "draft"),))] == 0
    assert figures[("openleg_invoices_open", ())] == 0
    assert ("openleg_meter_import_last_applied_age_seconds", ()) not in figures
    assert ("openleg_billing_run_last_computed_age_seconds", ()) not in figures


@pytest.mark.django_db
def test_a_scrape_asks_the_database_three_times_whatever_its_size(client, payout_community, django_assert_num_queries):  # noqa: F811
    with django_assert_num_queries(3):
        assert client.get("/metrics").status_code == 200


@pytest.mark.redis
@pytest.mark.django_db
def test_heartbeat_ages_are_metrics_when_a_broker_is_configured(client, settings, scrape_at):
    from django.core.cache import cache

    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.delete_many(["heartbeat:beat", "heartbeat:worker"])
    scrape_at(2027, 1, 5, 11, 59, 0)
    heartbeat.heartbeat_stamp(component="beat")
    scrape_at(2027, 1, 5, 11, 59, 58)
    heartbeat.heartbeat_stamp(component="worker")
    scrape_at(2027, 1, 5, 12, 0, 30)
    try:
        figures = _figures(client)
    finally:
        cache.delete_many(["heartbeat:beat", "heartbeat:worker"])

    assert figures[("openleg_heartbeat_age_seconds", (("component", "beat"),))] == 90
    assert figures[("openleg_heartbeat_age_seconds", (("component", "worker"),))] == 32
    assert figures[("openleg_metrics_source_up", (("source", "cache"),))] == 1


@pytest.mark.django_db
def test_with_redis_down_the_scrape_still_answers_and_says_what_is_missing(client, settings, scrape_at):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
        "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "metrics-sessions"},
    }
    scrape_at(2027, 1, 5, 12, 0)

    figures = _figures(client)

    assert figures[("openleg_metrics_source_up", (("source", "cache"),))] == 0
    assert figures[("openleg_metrics_source_up", (("source", "database"),))] == 1
    assert not [key for key in figures if key[0] == "openleg_heartbeat_age_seconds"]
