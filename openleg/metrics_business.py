"""Figures of the business, computed from the database when Prometheus scrapes: three queries whatever the size.

Meter imports and billing runs by status, the quarter-hour values imports brought, how old the last applied import
and the last computed billing run are, invoices open and overdue; and the heartbeat ages of beat and the worker
(one cache read). A source that cannot be read leaves its figures out and says so in
``openleg_metrics_source_up{source=…}`` instead of failing the whole scrape.
"""

import logging

from django.db.models import Count, Max, Q, Sum
from prometheus_client.core import GaugeMetricFamily

from billing.models import BillingRun, Invoice, RunStatus
from billing.receivables import with_open_amounts
from metering.models import MeterImport
from openleg.heartbeat import heartbeats, heartbeats_configured
from openleg.periods import local_date, utc_now

logger = logging.getLogger(__name__)


def _age(now, moment) -> float | None:
    return None if moment is None else max(0.0, (now - moment).total_seconds())


def _imports(now):
    rows = {
        row["status"]: row
        for row in MeterImport.objects.order_by()
        .values("status")
        .annotate(n=Count("id"), new=Sum("slots_new"), changed=Sum("slots_changed"), last=Max("applied_at"))
    }
    count = GaugeMetricFamily("openleg_meter_imports", "Meter imports (delivered files) by status.", labels=["status"])
    values = GaugeMetricFamily(
        "openleg_meter_import_values",
        "Quarter-hour values that applied meter imports stored, new or changed.",
        labels=["kind"],
    )
    for status in MeterImport.Status.values:
        count.add_metric([status], rows.get(status, {}).get("n", 0))
    applied = rows.get(MeterImport.Status.APPLIED, {})
    values.add_metric(["new"], applied.get("new") or 0)
    values.add_metric(["changed"], applied.get("changed") or 0)
    yield from (count, values)
    age = _age(now, applied.get("last"))
    if age is not None:
        yield GaugeMetricFamily(
            "openleg_meter_import_last_applied_age_seconds", "Seconds since the last meter import was applied.", age
        )


def _runs(now):
    rows = {
        row["status"]: row
        for row in BillingRun.objects.order_by().values("status").annotate(n=Count("id"), last=Max("computed_at"))
    }
    count = GaugeMetricFamily("openleg_billing_runs", "Billing runs by status.", labels=["status"])
    for status in RunStatus.values:
        count.add_metric([status], rows.get(status, {}).get("n", 0))
    yield count
    computed = [row["last"] for row in rows.values() if row["last"] is not None]
    if computed:
        yield GaugeMetricFamily(
            "openleg_billing_run_last_computed_age_seconds",
            "Seconds since a billing run was last computed.",
            _age(now, max(computed)),
        )


def _invoices(now):
    today = local_date(now)
    owed = with_open_amounts(Invoice.objects.order_by()).filter(open_chf__gt=0)
    figures = owed.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    yield GaugeMetricFamily("openleg_invoices_open", "Invoices with an amount still owed.", figures["open"])
    yield GaugeMetricFamily(
        "openleg_invoices_overdue",
        "Invoices with an amount still owed after their due date (Europe/Zurich).",
        figures["overdue"],
    )


def _heartbeats(now):
    ages = GaugeMetricFamily(
        "openleg_heartbeat_age_seconds",
        "Seconds since Celery beat last sent, and a worker last ran, the heartbeat task.",
        labels=["component"],
    )
    for beat in heartbeats():
        age = beat.age_seconds(now)
        if age is not None:
            ages.add_metric([beat.component], age)
    yield ages


class BusinessCollector:
    def collect(self):
        now = utc_now()
        up = GaugeMetricFamily(
            "openleg_metrics_source_up", "1 when the figures of this source could be read.", labels=["source"]
        )
        sources = [("database", (_imports, _runs, _invoices))]
        if heartbeats_configured():
            sources.append(("cache", (_heartbeats,)))
        for source, readers in sources:
            try:
                families = [family for reader in readers for family in reader(now)]
            except Exception:  # a scrape during an outage still shows the process counters and what is down
                logger.warning("Metrics: %s could not be read", source, exc_info=True)
                up.add_metric([source], 0)
                continue
            up.add_metric([source], 1)
            yield from families
        yield up
