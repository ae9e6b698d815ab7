import pytest

from api.errors import ApiError
from api.models import AgentJob
from tests.api.tools.conftest import call

pytestmark = pytest.mark.django_db


def test_the_token_that_started_a_job_sees_its_state_and_result(
    staff_token, march_community, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        started = call(staff_token, "run_billing_period", {"community": march_community.pk, "month": "2026-03"})
    job = AgentJob.objects.get()

    answer = call(staff_token, "get_job_status", {"job": started.data["job"]})

    assert answer.data == {
        "job": str(job.pk),
        "tool": "run_billing_period",
        "state": "done",
        "created_at": job.created_at.isoformat().replace("+00:00", "Z"),
        "finished_at": job.finished_at.isoformat().replace("+00:00", "Z"),
        "result": job.result,
        "error": None,
    }
    assert answer.touched == [f"job:{job.pk}"]


def test_a_pending_job(staff_token, march_community, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        started = call(staff_token, "run_billing_period", {"community": march_community.pk, "month": "2026-03"})

    answer = call(staff_token, "get_job_status", {"job": started.data["job"]})

    assert (answer.data["state"], answer.data["result"], answer.data["finished_at"]) == ("pending", None, None)


def test_another_token_gets_404_as_for_an_unknown_job(staff_token, make_token, march_community):
    started = call(staff_token, "run_billing_period", {"community": march_community.pk, "month": "2026-03"})
    other = make_token(name="Andere")

    with pytest.raises(ApiError) as refused:
        call(other, "get_job_status", {"job": started.data["job"]})

    assert (refused.value.status, refused.value.code, refused.value.message) == (
        404,
        "not_found",
        f"Auftrag «{started.data['job']}» gibt es nicht.",
    )


def test_a_malformed_job_id_is_400(staff_token):
    with pytest.raises(ApiError) as refused:
        call(staff_token, "get_job_status", {"job": "nope"})
    assert (refused.value.status, refused.value.details) == (400, {"fields": {"job": ["Muss eine gültige UUID sein."]}})


def test_a_documents_job_answers_with_fresh_download_links(staff_token, monkeypatch):
    job = AgentJob.objects.create(
        token=staff_token,
        tool="generate_leg_document",
        state="done",
        result={"community": 1, "kind": "agreement", "documents": [{"id": 7, "download_url": "/stale/"}]},
    )
    monkeypatch.setattr("api.agent.tools.documents.download_url", lambda kind, pk: f"/fresh/{kind}/{pk}/")

    answer = call(staff_token, "get_job_status", {"job": str(job.pk)})

    assert answer.data["result"] == {
        "community": 1,
        "kind": "agreement",
        "documents": [{"id": 7, "download_url": "/fresh/document/7/"}],
    }


def test_a_job_whose_token_was_revoked_meanwhile_does_not_run(
    staff_token, march_community, django_capture_on_commit_callbacks
):
    from api.tokens import agent_token_revoke
    from billing.models import BillingRun

    with django_capture_on_commit_callbacks(execute=False) as queued:
        started = call(staff_token, "run_billing_period", {"community": march_community.pk, "month": "2026-03"})
    agent_token_revoke(prefix=staff_token.prefix)
    for callback in queued:
        callback()

    job = AgentJob.objects.get(pk=started.data["job"])
    assert (job.state, BillingRun.objects.count()) == ("failed", 0)
    assert job.error == {
        "error": {
            "code": "token_unusable",
            "message": "Das Token, das diesen Auftrag gestartet hat, ist nicht mehr gültig; der Auftrag wurde nicht "
            "ausgeführt.",
            "details": {},
        }
    }


def test_a_job_whose_token_lost_the_scope_meanwhile_does_not_run(
    staff_token, march_community, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        started = call(staff_token, "run_billing_period", {"community": march_community.pk, "month": "2026-03"})
    staff_token.scopes = ["billing:read"]
    staff_token.save()
    for callback in queued:
        callback()

    job = AgentJob.objects.get(pk=started.data["job"])
    assert (job.state, job.error["error"]["code"], job.error["error"]["details"]) == (
        "failed",
        "scope_missing",
        {"scope": "billing:run"},
    )
