"""Who may be billed: the one check before a run is claimed, through the service, the command, the task and the beat."""

import logging
from datetime import date

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connections

from billing.billable import billing_refusals
from billing.models import BillingRun
from billing.services import billing_run_start
from billing.tasks import run_billing_for_community, start_monthly_billing
from communities.models import CommunityStatus
from openleg.errors import DomainError
from tests.communities.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db

NOT_STARTED = (
    "LEG Rebhalde ist noch nicht gestartet (Status: Entwurf, Start 01.04.2027); für 03/2026 wurde kein Lauf erstellt."
)
NO_MEMBERS = "LEG Leer hat im Monat 03/2026 keine Mitglieder; es wurde kein Lauf erstellt."


@pytest.fixture
def rebhalde():
    community = CommunityFactory(name="LEG Rebhalde", slug="rebhalde", start_date=date(2027, 4, 1))
    MembershipFactory(participant__community=community, valid_from=date(2026, 1, 1))
    return community


@pytest.fixture
def without_members():
    """Active since January, but its only member left at the end of February."""
    community = CommunityFactory(name="LEG Leer", slug="leer", status="active", start_date=date(2026, 1, 1))
    MembershipFactory(
        participant__community=community,
        participant__member_to=date(2026, 2, 28),
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 2, 28),
    )
    return community


def refusal(community, year=2026, month=3) -> str:
    with pytest.raises(DomainError) as caught:
        billing_run_start(community=community, year=year, month=month)
    return f"{caught.value.code}: {caught.value.message}"


def test_a_community_not_started_is_refused_and_no_run_is_created(rebhalde):
    assert refusal(rebhalde) == f"community_not_started: {NOT_STARTED}"
    assert BillingRun.objects.count() == 0


@pytest.mark.parametrize(
    ("status", "start", "expected"),
    [
        ("active", date(2026, 4, 1), "ist noch nicht gestartet (Status: Aktiv, Start 01.04.2026)"),
        ("active", None, "ist noch nicht gestartet (Status: Aktiv, Start nicht festgelegt)"),
        ("registered", date(2026, 3, 1), "ist noch nicht gestartet (Status: Beim VNB angemeldet, Start 01.03.2026)"),
        ("abandoned", date(2026, 1, 1), "ist nicht aktiv (Status: Aufgegeben, Start 01.01.2026)"),
    ],
)
def test_status_and_start_date_decide_whether_the_month_has_started(rebhalde, status, start, expected):
    rebhalde.status, rebhalde.start_date = status, start
    rebhalde.save()
    assert refusal(rebhalde) == (
        f"community_not_started: LEG Rebhalde {expected}; für 03/2026 wurde kein Lauf erstellt."
    )
    assert BillingRun.objects.count() == 0


def test_a_community_started_on_the_last_day_of_the_month_may_be_billed(rebhalde):
    rebhalde.status, rebhalde.start_date = CommunityStatus.ACTIVE, date(2026, 3, 31)
    rebhalde.save()
    assert billing_refusals(communities=[rebhalde], year=2026, month=3) == {}


def test_a_community_without_members_in_the_month_is_refused_and_no_run_is_created(without_members):
    assert refusal(without_members) == f"no_members: {NO_MEMBERS}"
    assert BillingRun.objects.count() == 0
    assert billing_refusals(communities=[without_members], year=2026, month=2) == {}  # still a member in February


def test_a_membership_of_one_day_in_the_month_counts(without_members):
    MembershipFactory(participant__community=without_members, valid_from=date(2026, 3, 31))
    assert billing_refusals(communities=[without_members], year=2026, month=3) == {}


def test_an_open_month_is_refused_before_anything_else(rebhalde):
    assert refusal(rebhalde, 2027, 1) == "month_not_closed: Der Monat 01/2027 ist noch nicht abgeschlossen."
    assert BillingRun.objects.count() == 0


def test_refusals_for_many_communities_take_one_query(rebhalde, without_members, django_assert_num_queries):
    started = CommunityFactory(name="LEG Gut", status="active", start_date=date(2026, 1, 1))
    MembershipFactory(participant__community=started, valid_from=date(2026, 3, 1))
    with django_assert_num_queries(1):
        refusals = billing_refusals(communities=[rebhalde, without_members, started], year=2026, month=3)
    assert {pk: error.message for pk, error in refusals.items()} == {
        rebhalde.pk: NOT_STARTED,
        without_members.pk: NO_MEMBERS,
    }


# -- the command -----------------------------------------------------------------------------------------------------


def test_run_billing_command_says_why_it_refuses(rebhalde, without_members):
    with pytest.raises(CommandError, match=f"^{NOT_STARTED}$".replace("(", r"\(").replace(")", r"\)")):
        call_command("run_billing", "rebhalde", "--period", "2026-03")
    with pytest.raises(CommandError) as caught:
        call_command("run_billing", "leer", "--period", "2026-03")
    assert str(caught.value) == NO_MEMBERS
    assert BillingRun.objects.count() == 0


def test_run_billing_command_exits_with_1_and_the_sentence(rebhalde, without_members, capsys, monkeypatch):
    monkeypatch.setattr(connections, "close_all", lambda: None)  # run_from_argv closes them: the test needs its own
    for slug, sentence in (("rebhalde", NOT_STARTED), ("leer", NO_MEMBERS)):
        with pytest.raises(SystemExit) as exit_:
            ManagementUtility(["manage.py", "run_billing", slug, "--period", "2026-03"]).execute()
        assert exit_.value.code == 1
        assert capsys.readouterr().err == f"CommandError: {sentence}\n"
    assert BillingRun.objects.count() == 0


# -- the tasks -------------------------------------------------------------------------------------------------------


def test_the_community_task_returns_the_refusal_and_creates_no_run(rebhalde, without_members):
    assert run_billing_for_community(rebhalde.pk, 2026, 3) == "community_not_started"
    assert run_billing_for_community(without_members.pk, 2026, 3) == "no_members"
    assert BillingRun.objects.count() == 0


def test_the_beat_skips_refused_communities(
    march_community, without_members, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    later = CommunityFactory(name="LEG Später", status="active", start_date=date(2026, 4, 1))
    MembershipFactory(participant__community=later, valid_from=date(2026, 4, 1))
    monkeypatch.setattr("billing.tasks.previous_month", lambda: (2026, 3))
    with caplog.at_level(logging.INFO, logger="billing.tasks"), django_capture_on_commit_callbacks(execute=True):
        assert start_monthly_billing() == 1
    assert list(BillingRun.objects.values_list("community__name", "month", "status")) == [
        (march_community.name, 3, "draft")
    ]
    assert sorted(record.getMessage() for record in caplog.records if record.name == "billing.tasks") == [
        "monthly billing skipped: LEG Leer hat im Monat 03/2026 keine Mitglieder; es wurde kein Lauf erstellt.",
        "monthly billing skipped: LEG Später ist noch nicht gestartet (Status: Aktiv, Start 01.04.2026); "
        "für 03/2026 wurde kein Lauf erstellt.",
    ]
