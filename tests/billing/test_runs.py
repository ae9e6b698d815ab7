from datetime import date

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


def test_e31_community_totals_are_cross_checked(sample_month, tmp_path):
    from django.core.management import call_command

    from tests.metering.conftest import FIXTURES

    call_command("import_meter_data", str(FIXTURES / "sdat-e31-v13-community.xml"), verbosity=0)
    run = billing_run_start(community=sample_month, year=2026, month=6)
    assert [issue for issue in run.issues if issue["code"] == "e31_deviation"] == []


def test_a_metering_point_without_any_data_blocks_the_run(sample_month):
    from communities.models import Membership
    from tests.communities.factories import MeteringPointFactory, ParticipantFactory

    silent = MeteringPointFactory(mp_id="CH10099912345000000000000000S0001", utility=sample_month.utility)
    Membership.objects.create(
        metering_point=silent, participant=ParticipantFactory(community=sample_month), valid_from=date(2026, 1, 1)
    )
    run = billing_run_start(community=sample_month, year=2026, month=6)
    no_data = [issue for issue in run.issues if issue["code"] == "no_data"]
    assert len(no_data) == 1 and no_data[0]["blocking"] is True
    assert no_data[0]["message"].startswith("Messpunkt CH10099912345000000000000000S0001 von ")
    assert no_data[0]["message"].endswith(" hat im ganzen Monat keine Werte.")
