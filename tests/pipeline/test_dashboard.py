from datetime import date, datetime, time

import pytest
from django.urls import reverse

from openleg.periods import ZURICH
from pipeline.dashboard import dashboard_figures
from pipeline.models import PipelineEvent, Utility
from tests.accounts.factories import StaffUserFactory, UtilityUserFactory
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=ZURICH)


def utility(name, stage, *, canton="ZH", created=date(2026, 5, 1), moves=(), **fields) -> Utility:
    """A utility created at noon on ``created`` whose stage events are ``moves``: (day, from, to)."""
    made = UtilityFactory(name=name, short_name=name[:10], canton=canton, stage=stage, **fields)
    Utility.objects.filter(pk=made.pk).update(created_at=noon(created))
    for day, from_stage, to_stage in moves:
        PipelineEvent.objects.create(
            utility=made, kind="stage", at=noon(day), door="admin", from_stage=from_stage, to_stage=to_stage
        )
    return made


@pytest.fixture
def market():
    """Nine utilities in ZH and BE, every stay in a stage a whole number of days (see the comments)."""
    alpha = utility("Alpha", "lead", score=80)
    beta = utility("Beta", "lead", score=60, last_contact_at=noon(date(2026, 6, 14)))
    PipelineEvent.objects.create(
        utility=beta, kind="contact", at=noon(date(2026, 6, 14)), door="admin", channel="phone", summary="Anruf"
    )
    utility("India", "lead")  # unscored: never among the top leads
    gamma = utility(  # lead 10 days
        "Gamma",
        "contacted",
        moves=[(date(2026, 5, 11), "lead", "contacted")],
        next_action="Nachfassen",
        next_action_due=date(2026, 6, 10),
    )
    utility(  # lead 4, contacted 20 days
        "Delta",
        "demo",
        moves=[(date(2026, 5, 5), "lead", "contacted"), (date(2026, 5, 25), "contacted", "demo")],
        next_action="Demo vorbereiten",
        next_action_due=TODAY,  # due today: not overdue
    )
    utility(  # lead 2, contacted 10, demo 7, trial 30 days
        "Epsilon",
        "paid",
        created=date(2026, 4, 1),
        moves=[
            (date(2026, 4, 3), "lead", "contacted"),
            (date(2026, 4, 13), "contacted", "demo"),
            (date(2026, 4, 20), "demo", "trial"),
            (date(2026, 5, 20), "trial", "paid"),
        ],
    )
    utility("Fox", "lost", moves=[(date(2026, 5, 7), "lead", "lost")])  # lead 6 days
    gulf = utility("Gulf", "lead", canton="BE", score=90, next_action="Anrufen", next_action_due=date(2026, 6, 1))
    utility(  # lead 10, contacted 10, demo 11, trial 10, paid 51 days
        "Hotel",
        "churned",
        canton="BE",
        created=date(2026, 3, 1),
        moves=[
            (date(2026, 3, 11), "lead", "contacted"),
            (date(2026, 3, 21), "contacted", "demo"),
            (date(2026, 4, 1), "demo", "trial"),
            (date(2026, 4, 11), "trial", "paid"),
            (date(2026, 6, 1), "paid", "churned"),
        ],
    )
    return {"alpha": alpha, "gamma": gamma, "gulf": gulf}


def test_figures_on_the_whole_market(market, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):  # the fifth: subscriptions per plan
        figures = dashboard_figures(today=TODAY)

    assert (figures["canton"], figures["today"], figures["total"]) == (None, "2026-06-15", 9)
    assert [(row["stage"], row["label"], row["count"], row["reached"]) for row in figures["stages"]] == [
        ("lead", "Lead", 4, 9),
        ("contacted", "kontaktiert", 1, 4),
        ("demo", "Demo", 1, 3),
        ("trial", "Testphase", 0, 2),
        ("paid", "zahlend", 1, 2),
        ("churned", "gekündigt", 1, None),
        ("lost", "verloren", 1, None),
    ]
    assert figures["conversion"] == [
        {"from_stage": "lead", "to_stage": "contacted", "reached": 9, "reached_next": 4, "percent": 44.4},
        {"from_stage": "contacted", "to_stage": "demo", "reached": 4, "reached_next": 3, "percent": 75.0},
        {"from_stage": "demo", "to_stage": "trial", "reached": 3, "reached_next": 2, "percent": 66.7},
        {"from_stage": "trial", "to_stage": "paid", "reached": 2, "reached_next": 2, "percent": 100.0},
    ]
    assert [(row["stage"], row["days"], row["stays"]) for row in figures["median_days"]] == [
        ("lead", 6.0, 5),
        ("contacted", 10.0, 3),
        ("demo", 9.0, 2),
        ("trial", 20.0, 2),
        ("paid", 51.0, 1),
    ]
    assert figures["overdue"] == [
        {
            "id": market["gulf"].pk,
            "name": "Gulf",
            "canton": "BE",
            "stage": "lead",
            "owner": "",
            "next_action": "Anrufen",
            "due": "2026-06-01",
            "days_overdue": 14,
        },
        {
            "id": market["gamma"].pk,
            "name": "Gamma",
            "canton": "ZH",
            "stage": "contacted",
            "owner": "",
            "next_action": "Nachfassen",
            "due": "2026-06-10",
            "days_overdue": 5,
        },
    ]
    assert figures["untouched_leads"] == [
        {"id": market["gulf"].pk, "name": "Gulf", "canton": "BE", "score": 90},
        {"id": market["alpha"].pk, "name": "Alpha", "canton": "ZH", "score": 80},
    ]


def test_figures_for_one_canton(market):
    figures = dashboard_figures(canton="BE", today=TODAY)

    assert (figures["canton"], figures["total"]) == ("BE", 2)
    assert [row["count"] for row in figures["stages"]] == [1, 0, 0, 0, 0, 1, 0]
    assert [(row["reached"], row["reached_next"], row["percent"]) for row in figures["conversion"]] == [
        (2, 1, 50.0),
        (1, 1, 100.0),
        (1, 1, 100.0),
        (1, 1, 100.0),
    ]
    assert [row["days"] for row in figures["median_days"]] == [10.0, 10.0, 11.0, 10.0, 51.0]
    assert [row["name"] for row in figures["overdue"]] == ["Gulf"]
    assert [row["name"] for row in figures["untouched_leads"]] == ["Gulf"]


def test_an_empty_market_has_no_rates_and_no_medians():
    figures = dashboard_figures(canton="GE", today=TODAY)

    assert figures["total"] == 0
    assert {row["percent"] for row in figures["conversion"]} == {None}
    assert {(row["days"], row["stays"]) for row in figures["median_days"]} == {(None, 0)}


def test_the_owner_of_an_overdue_action_is_named(market):
    owner = StaffUserFactory(username="anna", first_name="Anna", last_name="Muster")
    Utility.objects.filter(pk=market["gamma"].pk).update(owner=owner)

    figures = dashboard_figures(today=TODAY)

    assert [row["owner"] for row in figures["overdue"]] == ["", "Anna Muster"]


# -- the page ---------------------------------------------------------------------------------------------------------

DASHBOARD = "/admin/pipeline/"


def test_the_dashboard_is_the_pipeline_home_in_the_admin():
    assert reverse("admin:app_list", kwargs={"app_label": "pipeline"}) == DASHBOARD


def test_the_dashboard_draws_the_funnel_and_lists_the_figures(staff, market, monkeypatch):
    monkeypatch.setattr("openleg.pipeline_dashboard.local_today", lambda: TODAY)

    html = staff.get(DASHBOARD).content.decode()

    assert "<svg" in html and 'aria-label="Pipeline-Trichter: alle Kantone"' in html
    assert "<title>Lead: 4 jetzt in dieser Phase, 9 erreicht</title>" in html
    assert "44.4 %" in html and "66.7 %" in html
    assert "Gulf" in html and "Nachfassen" in html
    assert "14 Tage" in html
    assert reverse("admin:pipeline_utility_changelist") in html


def test_the_dashboard_filters_by_canton(staff, market, monkeypatch):
    monkeypatch.setattr("openleg.pipeline_dashboard.local_today", lambda: TODAY)

    html = staff.get(DASHBOARD, {"canton": "BE"}).content.decode()

    assert 'aria-label="Pipeline-Trichter: Bern"' in html
    assert "Gamma" not in html and "Gulf" in html


def test_an_unknown_canton_shows_the_whole_market(staff, market):
    response = staff.get(DASHBOARD, {"canton": "XX"})

    assert response.status_code == 200
    assert 'aria-label="Pipeline-Trichter: alle Kantone"' in response.content.decode()


def test_the_dashboard_queries_do_not_grow_with_the_market(staff, market, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):  # session, user, the four figures
        staff.get(DASHBOARD)


def test_utility_users_and_anonymous_visitors_never_see_the_dashboard(client):
    assert client.get(DASHBOARD).status_code == 302
    client.force_login(UtilityUserFactory())
    response = client.get(DASHBOARD)
    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/pipeline/")


def test_staff_without_pipeline_rights_are_refused(client):
    client.force_login(StaffUserFactory(is_superuser=False))
    assert client.get(DASHBOARD).status_code == 403
