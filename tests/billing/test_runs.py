
import pytest

from billing.models import BillingRun, RunDay
from billing.services import billing_run_start

pytestmark = pytest.mark.django_db


def test_sdat_leg_sample_reconciles_with_zero_deviation(sample_month):
    run = billing_run_start(community=sample_month, year=2026, month=6)
    assert (run.quarter_hours, run.status, run.method) == (2880, "draft", "proportional")
    assert run.deviations == 0
    day = RunDay.objects.get(run=run, day="2026-06-15", participant__role="consumer")
    assert (day.consumption_wh, day.leg_wh, day.grid_wh, day.vnb_leg_wh) == (18359, 7026, 11333, 7026)
    producer = RunDay.objects.get(run=run, day="2026-06-15", participant__role="producer")
    assert (producer.production_wh, producer.delivered_wh, producer.surplus_wh, producer.vnb_delivered_wh) == (
        42191,
        7026,
        35165,
        7026,
    )
    assert run.totals["chf"] == {"energy": "1.41", "credit": "-0.84"}
    codes = [issue["code"] for issue in run.issues]
    assert "missing_data" in codes  # only one day of June is delivered
    assert BillingRun.objects.count() == 1
