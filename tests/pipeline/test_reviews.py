from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail

from openleg.periods import ZURICH
from pipeline.models import OutreachDraft, PipelineBriefing, PipelineEvent
from pipeline.reviews import pipeline_daily_review, pipeline_weekly_outreach
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
YESTERDAY = TODAY - timedelta(days=1)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZURICH)


def event(utility, moment, **fields):
    return PipelineEvent.objects.create(utility=utility, at=moment, door="admin", **fields)


def draft(utility, created, status="draft"):
    made = OutreachDraft.objects.create(
        utility=utility, template="first_contact", subject="Betreff", body="Text", door="admin", status=status
    )
    OutreachDraft.objects.filter(pk=made.pk).update(created_at=created)
    return made


@pytest.fixture
def day():
    """Yesterday: Beta contacted and moved on, a draft for Alpha; events of the day before and of today left out."""
    for score in (95, 80, 60, 50, 40, 30):
        UtilityFactory(name=f"Lead {score}", score=score)
    alpha = UtilityFactory(name="Alpha", score=20)
    beta = UtilityFactory(name="Beta", stage="contacted", score=99)
    gamma = UtilityFactory(name="Gamma", stage="contacted", next_action="Nachfassen", next_action_due=date(2026, 6, 10))
    UtilityFactory(name="Delta", stage="demo", next_action="Demo vorbereiten", next_action_due=TODAY)
    event(beta, at(YESTERDAY, 10), kind="stage", from_stage="lead", to_stage="contacted")
    event(beta, at(YESTERDAY, 11), kind="contact", channel="email", summary="Offerte angefragt")
    event(gamma, at(YESTERDAY - timedelta(days=1), 23), kind="contact", channel="phone", summary="zu früh")
    event(gamma, at(TODAY, 0), kind="contact", channel="phone", summary="heute")
    draft(alpha, at(YESTERDAY, 16))
    return {"alpha": alpha, "beta": beta}


def test_the_daily_briefing_tells_what_changed_what_is_due_and_the_top_leads(day):
    briefing = pipeline_daily_review(today=TODAY)

    assert briefing.day == TODAY
    assert briefing.text == (
        "Pipeline am 15.06.2026\n"
        "\n"
        "Gestern (14.06.2026):\n"
        "- Phasenwechsel: Beta: Lead → kontaktiert\n"
        "- Kontakte: Beta (E-Mail)\n"
        "- Neue Entwürfe: Alpha\n"
        "\n"
        "Heute fällig: Delta: Demo vorbereiten\n"
        "Überfällig: Gamma: Nachfassen (5 Tage)\n"
        "Top-Leads: Lead 95 (95); Lead 80 (80); Lead 60 (60); Lead 50 (50); Lead 40 (40)"
    )
    figures = briefing.figures
    assert (figures["day"], figures["since"]) == ("2026-06-15", "2026-06-14")
    assert figures["stage_changes"] == [
        {"utility_id": day["beta"].pk, "utility": "Beta", "from_stage": "lead", "to_stage": "contacted"}
    ]
    assert figures["contacts"] == [
        {"utility_id": day["beta"].pk, "utility": "Beta", "channel": "email", "summary": "Offerte angefragt"}
    ]
    assert [row["utility_id"] for row in figures["new_drafts"]] == [day["alpha"].pk]
    assert [row["next_action"] for row in figures["due_today"]] == ["Demo vorbereiten"]
    assert [(row["name"], row["days_overdue"]) for row in figures["overdue"]] == [("Gamma", 5)]
    assert [row["score"] for row in figures["top_leads"]] == [95, 80, 60, 50, 40]
    assert figures["stages"] == {"lead": 7, "contacted": 2, "demo": 1, "trial": 0, "paid": 0, "churned": 0, "lost": 0}


def test_a_quiet_day_says_so():
    briefing = pipeline_daily_review(today=TODAY)

    assert briefing.text.splitlines()[3:] == [
        "- Phasenwechsel: keine",
        "- Kontakte: keine",
        "- Neue Entwürfe: keine",
        "",
        "Heute fällig: nichts",
        "Überfällig: nichts",
        "Top-Leads: keine bewerteten",
    ]


def test_the_review_is_one_row_per_day(day):
    first = pipeline_daily_review(today=TODAY)
    again = pipeline_daily_review(today=TODAY)

    assert (again.pk, again.text) == (first.pk, first.text)
    assert PipelineBriefing.objects.count() == 1
    pipeline_daily_review(today=TODAY + timedelta(days=1))
    assert PipelineBriefing.objects.count() == 2


@pytest.fixture
def prospects():
    """Who gets a draft: scored leads and contacted utilities, quiet for 30 days, without an open draft."""
    quiet = UtilityFactory(name="quiet lead", score=90)
    long_ago = UtilityFactory(
        name="contacted long ago", stage="contacted", score=70, last_contact_at=at(TODAY - timedelta(days=31), 12)
    )
    UtilityFactory(
        name="contacted 30 days ago", stage="contacted", score=80, last_contact_at=at(TODAY - timedelta(days=30), 0)
    )
    draft(UtilityFactory(name="open draft", score=85), at(TODAY, 1))
    discarded = UtilityFactory(name="discarded draft", score=75)
    draft(discarded, at(TODAY, 1), status="discarded")
    UtilityFactory(name="in demo", stage="demo", score=99)
    UtilityFactory(name="unscored")
    return [quiet, discarded, long_ago]


def test_the_weekly_job_drafts_for_the_best_quiet_leads(prospects):
    drafts = pipeline_weekly_outreach(today=TODAY, limit=2)

    assert [d.utility for d in drafts] == prospects[:2]
    assert {(d.status, d.door, d.created_by, d.template) for d in drafts} == {("draft", "task", None, "first_contact")}
    assert mail.outbox == []


def test_the_weekly_job_never_doubles_an_open_draft(prospects):
    pipeline_weekly_outreach(today=TODAY, limit=2)

    assert [d.utility for d in pipeline_weekly_outreach(today=TODAY)] == prospects[2:]
    assert pipeline_weekly_outreach(today=TODAY) == []
    assert OutreachDraft.objects.filter(status="draft").count() == 4
