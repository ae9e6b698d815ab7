import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from api.agent.calls import call_tool
from api.errors import ApiError
from api.models import AgentCall, AgentJob
from api.tasks import agent_job_run
from billing.models import BillingRun
from tests.api.tools.conftest import call

pytestmark = pytest.mark.django_db


def run_json(community, month: str) -> dict:
    out = StringIO()
    call_command("run_billing", str(community.pk), "--period", month, "--json", stdout=out)
    return json.loads(out.getvalue())


def start(token, arguments, capture):
    with capture(execute=True):
        answer = call(token, "run_billing_period", arguments)
    return answer, AgentJob.objects.get(pk=answer.data["job"])


def test_run_billing_period_answers_202_and_the_job_computes_the_draft(
    staff_token,
    march_community,
    django_capture_on_commit_callbacks,
):
    answer, job = start(
        staff_token, {"community": march_community.pk, "month": "2026-03"}, django_capture_on_commit_callbacks
    )

    assert answer.status == 202
    assert answer.data == {
        "job": str(job.pk),
        "state": "pending",
        "status_url": f"/api/agent/v1/get_job_status/?job={job.pk}",
    }
    run = BillingRun.objects.get()
    assert (run.status, run.year, run.month, run.quarter_hours, run.created_by) == ("draft", 2026, 3, 2972, None)
    assert (job.state, job.error, job.token_id, job.tool) == ("done", None, staff_token.pk, "run_billing_period")
    assert job.arguments == {"community": march_community.pk, "year": 2026, "month": 3}
    assert job.result == {
        "run": run.pk,
        "community": march_community.pk,
        "month": "2026-03",
        "status": "draft",
        "quarter_hours": 2972,
        "deviations": run.deviations,
        "blocking_issues": run.blocking_issues,
        "issues": len(run.issues),
        "summary_url": f"/api/agent/v1/get_billing_summary/?community={march_community.pk}&month=2026-03",
    }
    assert (run.deviations, run.blocking_issues) == (0, 0)
    record = AgentCall.objects.get(tool="run_billing_period")
    assert (record.status, record.touched) == (202, [f"community:{march_community.pk}", f"job:{job.pk}"])


def test_a_whole_month_given_as_period_is_the_same_month(
    staff_token,
    march_community,
    django_capture_on_commit_callbacks,
):
    _answer, job = start(
        staff_token,
        {"community": march_community.pk, "period_start": "2026-03-01", "period_end": "2026-03-31"},
        django_capture_on_commit_callbacks,
    )
    assert (job.state, job.arguments["year"], job.arguments["month"]) == ("done", 2026, 3)


@pytest.mark.parametrize(
    ("period", "field", "message"),
    [
        (
            ("2026-03-01", "2026-03-30"),
            "period_end",
            "Abgerechnet wird ein ganzer Kalendermonat (Europe/Zurich); 01.03.2026 bis 30.03.2026 ist keiner. Gemeint "
            "ist wohl 03/2026: period_start 2026-03-01 und period_end 2026-03-31, oder month 2026-03.",
        ),
        (
            ("2026-02-27", "2026-03-31"),
            "period_start",
            "Abgerechnet wird ein ganzer Kalendermonat (Europe/Zurich); 27.02.2026 bis 31.03.2026 ist keiner. Gemeint "
            "ist wohl 03/2026: period_start 2026-03-01 und period_end 2026-03-31, oder month 2026-03.",
        ),
        (
            ("2026-02-01", "2026-03-01"),
            "period_end",
            "Abgerechnet wird ein ganzer Kalendermonat (Europe/Zurich); 01.02.2026 bis 01.03.2026 ist keiner. Gemeint "
            "ist wohl 02/2026: period_start 2026-02-01 und period_end 2026-02-28, oder month 2026-02.",
        ),
    ],
)
def test_a_period_that_is_not_one_calendar_month_is_refused_naming_the_month_meant(
    staff_token,
    march_community,
    period,
    field,
    message,
):
    with pytest.raises(ApiError) as refused:
        call(
            staff_token,
            "run_billing_period",
            {"community": march_community.pk, "period_start": period[0], "period_end": period[1]},
        )
    assert (refused.value.status, refused.value.code, refused.value.details) == (
        400,
        "invalid",
        {"fields": {field: [message]}},
    )
    assert AgentJob.objects.count() == 0


@pytest.mark.parametrize(
    ("arguments", "fields"),
    [
        ({}, {"month": ["Entweder month oder period_start und period_end angeben."]}),
        ({"month": "2026-3"}, {"month": ["Einen Monat in der Form JJJJ-MM angeben, z. B. 2026-03."]}),
        ({"month": "2026-13"}, {"month": ["Einen Monat in der Form JJJJ-MM angeben, z. B. 2026-03."]}),
        (
            {"month": "2026-03", "period_start": "2026-03-01"},
            {"month": ["Entweder month oder period_start und period_end angeben, nicht beides."]},
        ),
        ({"period_start": "2026-03-01"}, {"period_end": ["period_start und period_end gehören zusammen."]}),
        (
            {"period_start": "2026-03-31", "period_end": "2026-03-01"},
            {"period_end": ["period_end liegt vor period_start."]},
        ),
    ],
)
def test_bad_month_arguments_are_refused_naming_the_field(staff_token, march_community, arguments, fields):
    with pytest.raises(ApiError) as refused:
        call(staff_token, "run_billing_period", {"community": march_community.pk, **arguments})
    assert (refused.value.status, refused.value.details) == (400, {"fields": fields})


def test_a_month_not_over_yet_is_refused_at_once(staff_token, march_community):
    with pytest.raises(ApiError) as refused:
        call(staff_token, "run_billing_period", {"community": march_community.pk, "month": "2099-01"})
    assert (refused.value.status, refused.value.code, refused.value.message) == (
        409,
        "month_not_closed",
        "Der Monat 01/2099 ist noch nicht abgeschlossen.",
    )
    assert (AgentJob.objects.count(), BillingRun.objects.count()) == (0, 0)


def test_an_approved_month_is_refused_and_never_recomputed(staff_token, march_community):
    run_json(march_community, "2026-03")
    BillingRun.objects.update(status="approved")
    run = BillingRun.objects.get()

    with pytest.raises(ApiError) as refused:
        call(staff_token, "run_billing_period", {"community": march_community.pk, "month": "2026-03"})

    assert (refused.value.status, refused.value.code) == (409, "run_frozen")
    assert refused.value.message == (
        f"Der Lauf {run} ist bereits freigegeben und wird nicht neu berechnet; für eine neue Abrechnung muss er "
        "zuerst storniert werden."
    )
    assert AgentJob.objects.count() == 0


def test_a_job_refused_while_it_waited_stores_the_error_shape_and_runs_once(
    staff_token,
    march_community,
    django_capture_on_commit_callbacks,
):
    run_json(march_community, "2026-03")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = call(staff_token, "run_billing_period", {"community": march_community.pk, "month": "2026-03"})
    BillingRun.objects.update(status="approved")  # a person approved the month before the job ran
    for callback in queued:
        callback()

    job = AgentJob.objects.get(pk=answer.data["job"])
    assert (job.state, job.result) == ("failed", None)
    assert job.error == {
        "error": {
            "code": "run_frozen",
            "message": "Der Monat 03/2026 ist bereits freigegeben; er kann nicht neu berechnet werden.",
            "details": {},
        }
    }
    finished = job.finished_at
    assert agent_job_run(str(job.pk)) == "failed"  # delivered twice: nothing runs again
    job.refresh_from_db()
    assert job.finished_at == finished


def test_a_done_job_run_again_changes_nothing(staff_token, march_community, django_capture_on_commit_callbacks):
    _answer, job = start(
        staff_token, {"community": march_community.pk, "month": "2026-03"}, django_capture_on_commit_callbacks
    )
    computed = BillingRun.objects.get().computed_at

    assert agent_job_run(str(job.pk)) == "done"

    assert BillingRun.objects.get().computed_at == computed
    assert AgentJob.objects.get(pk=job.pk).finished_at == job.finished_at


def test_the_summary_has_the_same_figures_as_run_billing_json(staff_token, march_community):
    expected = run_json(march_community, "2026-03")

    answer = call(staff_token, "get_billing_summary", {"community": march_community.pk, "month": "2026-03"})

    assert answer.data == expected
    assert [row["customer_number"] for row in answer.data["participants"]] == ["M1", "M2", "M3", "M4", "M5"]
    assert answer.data["period"]["quarter_hours"] == 2972
    run = BillingRun.objects.get()
    assert AgentCall.objects.get().touched == [f"community:{march_community.pk}", f"run:{run.pk}"]


def test_a_summary_without_a_run_or_of_an_open_month_is_a_clear_error(staff_token, march_community):
    with pytest.raises(ApiError) as missing:
        call(staff_token, "get_billing_summary", {"community": march_community.pk, "month": "2026-02"})
    assert (missing.value.status, missing.value.code, missing.value.message, missing.value.details) == (
        404,
        "run_missing",
        f"Für 02/2026 gibt es keinen Abrechnungslauf von «{march_community.name}»; run_billing_period berechnet ihn.",
        {"community": march_community.pk, "month": "2026-02"},
    )
    with pytest.raises(ApiError) as open_month:
        call(staff_token, "get_billing_summary", {"community": march_community.pk, "month": "2099-12"})
    assert (open_month.value.status, open_month.value.code) == (409, "month_not_closed")


def test_the_reconciliation_checks_the_last_closed_month_of_each_active_community(
    staff_token,
    march_community,
    monkeypatch,
):
    from tests.communities.factories import CommunityFactory

    run_json(march_community, "2026-03")
    quiet = CommunityFactory(
        utility=march_community.utility, name="AAA Ruhig", status="active", start_date=date(2026, 1, 1)
    )
    CommunityFactory(utility=march_community.utility, name="Gegründet", status="founding")
    monkeypatch.setattr("api.agent.tools.billing.local_today", lambda: date(2026, 4, 10))

    answer = call(staff_token, "get_billing_reconciliation")

    run = BillingRun.objects.get()
    assert answer.data == {
        "month": "2026-03",
        "communities": [
            {
                "community": quiet.pk,
                "name": "AAA Ruhig",
                "run": None,
                "status": "missing",
                "deviations": None,
                "blocking_issues": None,
                "blocking": [],
                "missing_data": [],
                "needs_attention": True,
            },
            {
                "community": march_community.pk,
                "name": march_community.name,
                "run": run.pk,
                "status": "draft",
                "deviations": 0,
                "blocking_issues": 0,
                "blocking": [],
                "missing_data": [],
                "needs_attention": False,
            },
        ],
    }


def test_a_utility_token_reconciles_only_its_own_communities(make_token, march_community, monkeypatch):
    from tests.communities.factories import CommunityFactory
    from tests.pipeline.factories import UtilityFactory

    CommunityFactory(utility=UtilityFactory(), name="Fremd", status="active", start_date=date(2026, 1, 1))
    token = make_token(["billing:read"], utility=march_community.utility)
    monkeypatch.setattr("api.agent.tools.billing.local_today", lambda: date(2026, 4, 10))

    answer = call_tool(token, "get_billing_reconciliation", {}, transport="mcp")

    assert [row["community"] for row in answer.data["communities"]] == [march_community.pk]
    assert AgentCall.objects.get().transport == "mcp"
