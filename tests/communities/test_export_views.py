"""Portal downloads of a run and of a metering point's month: own utility only, anonymous to the login."""

import io

import pandas as pd
import pytest
from django.urls import reverse

from billing.services import billing_run_start
from tests.accounts.factories import UtilityUserFactory
from tests.billing.conftest import march_community  # noqa: F401  (five participants, March 2026)
from tests.communities.factories import CommunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def march_run(march_community):  # noqa: F811
    return billing_run_start(community=march_community, year=2026, month=3)


def _urls(run):
    community = run.community
    point = community.participants.get(customer_number="M1").memberships.get().metering_point
    runs = [
        reverse("portal:run-export", kwargs={"pk": community.pk, "run_pk": run.pk, "name": name})
        for name in ("export.xlsx", "participants.csv", "days.csv")
    ]
    points = [
        reverse(
            "portal:point-month-export",
            kwargs={"pk": community.pk, "point_pk": point.pk, "year": "2026", "month": "03", "extension": extension},
        )
        for extension in ("xlsx", "csv")
    ]
    return runs + points


def test_own_utility_downloads_the_run_and_the_point_month(client, march_run):
    client.force_login(UtilityUserFactory(utility=march_run.community.utility))
    run_xlsx, participants_csv, days_csv, point_xlsx, point_csv = _urls(march_run)
    assert run_xlsx == f"/utility/communities/{march_run.community.pk}/runs/{march_run.pk}/export.xlsx"
    response = client.get(run_xlsx)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="abrechnung-maerz-2026-03.xlsx"'
    people = pd.read_excel(io.BytesIO(response.content), sheet_name="Teilnehmende")
    assert round(people["LEG-Anteil (kWh)"].sum(), 3) == 1968.449
    response = client.get(participants_csv)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="abrechnung-maerz-2026-03-participants.csv"'
    assert client.get(days_csv).content.decode("utf-8-sig").count("\r\n") == 1 + 5 * 31
    response = client.get(point_xlsx)
    mp_id = march_run.community.participants.get(customer_number="M1").memberships.get().metering_point.mp_id
    assert response["Content-Disposition"] == f'attachment; filename="messwerte-{mp_id}-2026-03.xlsx"'
    assert len(pd.read_excel(io.BytesIO(response.content))) == 2972
    assert client.get(point_csv).status_code == 200


def test_another_utility_gets_404_for_every_export(client, march_run):
    client.force_login(UtilityUserFactory(utility=CommunityFactory().utility))
    for url in _urls(march_run):
        assert client.get(url).status_code == 404, url


def test_a_run_or_point_of_another_community_of_the_same_utility_is_not_found(client, march_run):
    other = CommunityFactory(utility=march_run.community.utility)
    client.force_login(UtilityUserFactory(utility=other.utility))
    for url in _urls(march_run):
        moved = url.replace(f"/communities/{march_run.community.pk}/", f"/communities/{other.pk}/")
        assert client.get(moved).status_code == 404, moved


def test_anonymous_is_sent_to_the_login(client, march_run):
    for url in _urls(march_run):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={url}"


def test_a_month_13_is_not_found(client, march_run):
    client.force_login(UtilityUserFactory(utility=march_run.community.utility))
    url = _urls(march_run)[3].replace("2026-03", "2026-13")
    assert client.get(url).status_code == 404
