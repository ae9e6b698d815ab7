"""Deviations a clerk can act on: per participant every day above the tolerance, ours / VNB / difference, a chart,
and one click to the meter data of that point and day."""

import re
from datetime import date
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.charts import deviation_days_svg
from billing.demo import load_demo_vnb_split
from billing.deviations import participant_deviations
from billing.models import RunDay
from billing.services import billing_run_start
from communities.models import Participant
from tests.billing.test_admin import table_row, text
from tests.communities.factories import CommunityFactory, MembershipFactory, MeteringPointFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def split_run(march_community):
    """March 2026 with the VNB's split from billing.demo: 40 Wh moved from M1 to M2 on 1 March."""
    assert load_demo_vnb_split(march_community, 2026, 3).ok
    return billing_run_start(community=march_community, year=2026, month=3)


def deviations_url(run, participant) -> str:
    return reverse("admin:billing_billingrun_deviations", args=[run.pk, participant.pk])


def meter_url(point, day: str) -> str:
    return reverse("admin:metering_meteringpointdata_change", args=[point.pk]) + f"?day={day}"


def member(run, customer_number: str) -> Participant:
    return Participant.objects.get(community=run.community, customer_number=customer_number)


def point_of(participant):
    return participant.memberships.get().metering_point


def test_each_deviating_day_shows_ours_the_vnbs_and_the_difference_with_a_link_to_the_meter_data(staff, split_run):
    assert split_run.deviations == 2
    m1, m2 = member(split_run, "M1"), member(split_run, "M2")
    page = text(staff.get(deviations_url(split_run, m1)))
    assert "1 Tag weicht um mehr als 1 Wh von der Aufteilung des Netzbetreibers ab." in page
    assert table_row(page, "01.03.2026") == [
        "01.03.2026",
        "16.271",
        "16.231",
        "+0.040",
        "0.000",
        "–",
        "–",
        point_of(m1).mp_id,
    ]
    assert f'<a href="{meter_url(point_of(m1), "2026-03-01")}">{point_of(m1).mp_id}</a>' in page
    page = text(staff.get(deviations_url(split_run, m2)))
    assert table_row(page, "01.03.2026")[:4] == ["01.03.2026", "17.178", "17.218", "-0.040"]
    assert len(re.findall(r"<td>\d\d\.\d\d\.\d{4}</td>", page)) == 1


def test_the_chart_shows_ours_beside_the_vnbs_on_each_deviating_day(staff, split_run):
    page = text(staff.get(deviations_url(split_run, member(split_run, "M1"))))
    start = page.index('<svg xmlns="http://www.w3.org/2000/svg" width=')
    svg = page[start : page.index("</svg>", start)]
    assert "<title>01.03.2026 LEG-Anteil berechnet: 16.271 kWh</title>" in svg
    assert "<title>01.03.2026 LEG-Anteil VNB: 16.231 kWh</title>" in svg
    assert ">+0.040</text>" in svg and ">01.03.</text>" in svg
    assert "geliefert VNB" not in svg  # a consumer: the VNB split no delivery of it


def test_a_participant_without_deviations_has_an_empty_list_and_no_chart(staff, split_run):
    page = text(staff.get(deviations_url(split_run, member(split_run, "M4"))))
    assert "0 Tage weichen um mehr als 1 Wh von der Aufteilung des Netzbetreibers ab." in page
    assert 'role="img"' not in page


def test_the_reconciliation_table_links_the_deviating_participants(staff, split_run):
    page = text(staff.get(reverse("admin:billing_billingrun_change", args=[split_run.pk])))
    for number in ("M1", "M2"):
        link = deviations_url(split_run, member(split_run, number))
        assert f'<a href="{link}"><strong>1</strong></a>' in page
    assert deviations_url(split_run, member(split_run, "M3")) not in page


def test_the_page_takes_the_same_queries_whatever_the_community_size(staff, split_run, sample_month):
    small = billing_run_start(community=sample_month, year=2026, month=6)
    RunDay.objects.filter(run=small, vnb_leg_wh__isnull=False).update(vnb_leg_wh=0)
    counts = []
    for run in (small, split_run):
        participant = RunDay.objects.filter(run=run, vnb_leg_wh__isnull=False).exclude(leg_wh=0).first().participant
        with CaptureQueriesContext(connection) as queries:
            page = text(staff.get(deviations_url(run, participant)))
        assert "1 Tag weicht" in page or "Tage weichen" in page
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8


# -- the selector: tolerance, and the metering point of each day -----------------------------------------------------


@pytest.fixture
def moved():
    """A participant whose metering point was replaced on 16 March, and a run without meter data."""
    community = CommunityFactory(status="active", start_date=date(2026, 1, 1))
    participant = ParticipantFactory(community=community, customer_number="W1")
    old, new = (MeteringPointFactory(utility=community.utility) for _ in range(2))
    MembershipFactory(participant=participant, metering_point=old, valid_to=date(2026, 3, 15))
    MembershipFactory(participant=participant, metering_point=new, valid_from=date(2026, 3, 16))
    run = billing_run_start(community=community, year=2026, month=3)
    days = RunDay.objects.filter(run=run, participant=participant)
    days.update(vnb_leg_wh=0)
    days.filter(day=date(2026, 3, 10)).update(vnb_leg_wh=2)  # 2 Wh: above the tolerance of 1 Wh
    days.filter(day=date(2026, 3, 11)).update(vnb_leg_wh=1)  # 1 Wh: within it
    days.filter(day=date(2026, 3, 20)).update(leg_wh=1500, vnb_leg_wh=0, vnb_delivered_wh=7)
    return run, participant, old, new


def test_only_days_beyond_the_tolerance_are_listed_each_with_the_point_of_that_day(moved):
    run, participant, old, new = moved
    rows = participant_deviations(run=run, participant=participant)
    assert [(row.day, row.leg_difference_wh, row.delivered_difference_wh, row.metering_points) for row in rows] == [
        (date(2026, 3, 10), -2, None, (old,)),
        (date(2026, 3, 20), 1500, -7, (new,)),
    ]
    assert [(row.leg_deviates, row.delivered_deviates) for row in rows] == [(True, False), (True, True)]


def test_the_page_links_the_point_of_each_day_and_marks_both_sides(staff, moved):
    run, participant, old, new = moved
    page = text(staff.get(deviations_url(run, participant)))
    assert table_row(page, "10.03.2026") == ["10.03.2026", "0.000", "0.002", "-0.002", "0.000", "–", "–", old.mp_id]
    assert table_row(page, "20.03.2026") == [
        "20.03.2026",
        "1.500",
        "0.000",
        "+1.500",
        "0.000",
        "0.007",
        "-0.007",
        new.mp_id,
    ]
    assert f'href="{meter_url(old, "2026-03-10")}"' in page and f'href="{meter_url(new, "2026-03-20")}"' in page
    assert "<strong>+1.500</strong>" in page and "<strong>-0.007</strong>" in page
    assert ">+1.500 / -0.007</text>" in page  # both differences above the day's bars


def test_large_figures_use_the_swiss_thousands_separator(staff, moved):
    run, participant, _old, _new = moved
    RunDay.objects.filter(run=run, participant=participant, day=date(2026, 3, 10)).update(
        leg_wh=1234567, vnb_leg_wh=1234000
    )
    page = text(staff.get(deviations_url(run, participant)))
    assert [unescape(cell) for cell in table_row(page, "10.03.2026")[:4]] == [
        "10.03.2026",
        "1'234.567",
        "1'234.000",
        "+0.567",
    ]


def test_names_are_escaped_on_the_page_and_in_the_chart(staff, moved):
    run, participant, _old, _new = moved
    participant.first_name = "<b>A&B</b>"
    participant.save()
    page = text(staff.get(deviations_url(run, participant)))
    assert "<b>A&B</b>" not in page
    assert "Abweichungen von &lt;b&gt;A&amp;B&lt;/b&gt;" in page


def test_a_participant_of_another_community_is_not_found(staff, moved, split_run):
    run, _participant, _old, _new = moved
    assert staff.get(deviations_url(run, member(split_run, "M1"))).status_code == 404


def test_staff_with_view_permission_may_read_utility_users_may_not(client, moved, utility_user):
    from django.contrib.auth.models import Permission

    from tests.accounts.factories import StaffUserFactory

    run, participant, _old, _new = moved
    viewer = StaffUserFactory(is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_billingrun"))
    client.force_login(viewer)
    assert client.get(deviations_url(run, participant)).status_code == 200
    client.force_login(utility_user)
    assert client.get(deviations_url(run, participant)).status_code == 302


# -- the chart alone -------------------------------------------------------------------------------------------------


def test_the_deviation_chart_is_plain_escaped_svg():
    svg = deviation_days_svg(
        [date(2026, 3, 1), date(2026, 3, 9)],
        {"leg": [16271, 900], "vnb_leg": [16231, None]},
        {"leg": "ours <x>", "vnb_leg": "VNB"},
        ["+0.040", "<b>"],
        'Titel "&"',
    )
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="360" height="240" role="img" ')
    assert 'aria-label="Titel &quot;&amp;&quot;"' in svg
    assert "<title>01.03.2026 ours &lt;x&gt;: 16.271 kWh</title>" in svg
    assert "<title>09.03.2026 ours &lt;x&gt;: 0.900 kWh</title>" in svg
    assert svg.count("<rect x=") == 3 + 2  # three bars (no VNB figure on 9 March) and two legend squares
    assert ">&lt;b&gt;</text>" in svg and ">09.03.</text>" in svg
    assert svg.endswith("</svg>")


def test_a_month_of_deviating_days_stays_as_wide_as_the_month_chart_and_leaves_the_differences_to_the_table():
    days = [date(2026, 3, day) for day in range(1, 32)]
    svg = deviation_days_svg(days, {"leg": [1000] * 31, "vnb_leg": [990] * 31}, {}, ["+0.010"] * 31, "Monat")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="860" height="240"')
    assert "+0.010" not in svg and ">31.03.</text>" in svg
