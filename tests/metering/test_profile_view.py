from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from metering import selectors
from metering.models import DaySeries
from tests.metering.conftest import CONSUMER, FIXTURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(leg):
    call_command("import_meter_data", str(FIXTURES / "sdat-e66-v16-leg-2mp.xml"), verbosity=0)
    return DaySeries.objects.filter(metering_point__mp_id=CONSUMER).first().metering_point


def test_day_profile_is_the_local_day(imported):
    profile = selectors.day_profile(metering_point_id=imported.pk, day=date(2026, 6, 15))
    assert sorted(profile) == [("consumption", "grid"), ("consumption", "leg"), ("consumption", "total")]
    total = profile[("consumption", "total")]
    assert (len(total.values), int(total.values.sum())) == (96, 18_359_000)
    assert int(profile[("consumption", "leg")].values.sum()) == 7_026_000


def test_coverage_marks_provisional_and_missing_days(imported):
    statuses = selectors.coverage(metering_point_id=imported.pk, year=2026, month=6)
    assert len(statuses) == 30
    assert statuses[date(2026, 6, 15)] == "complete"  # judged on the total channel, which is not provisional
    assert statuses[date(2026, 6, 14)] == "missing"
    assert statuses[date(2026, 6, 16)] == "missing"


def test_admin_shows_profile_chart_and_coverage_calendar(client, staff_user, imported):
    client.force_login(staff_user)
    url = reverse("admin:metering_meteringpointdata_change", args=[imported.pk])
    page = client.get(url, {"day": "2026-06-15"}).content.decode()
    assert page.count("<svg") >= 2
    assert "<polyline" in page and 'aria-label="Tagesprofil 15.06.2026"' in page
    assert "Bezug Total: <strong>18.359 kWh</strong>" in page
    assert "15.06.2026: vollständig" in page and "16.06.2026: fehlt" in page


def test_utility_users_do_not_reach_the_admin_view(client, utility_user, imported):
    client.force_login(utility_user)
    response = client.get(reverse("admin:metering_meteringpointdata_change", args=[imported.pk]))
    assert response.status_code == 302
