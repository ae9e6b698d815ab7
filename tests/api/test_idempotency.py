"""Idempotency-Key: the first answer is kept; a retry gets it and starts nothing new."""

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from api.idempotency import IN_FLIGHT, forget_expired_answers
from api.models import AgentCall, AgentJob, IdempotentAnswer
from tests.api import conftest as api_fixtures

pytestmark = [pytest.mark.redis]

JOB_URL = "/api/agent/v1/test_start_job/"


def post(client, body, key):
    return client.post(JOB_URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_a_retry_with_the_same_key_and_body_gets_the_first_answer_and_runs_nothing(
    test_tools, make_token, bearer, community
):
    new = make_token(scopes=["billing:run"])
    client = bearer(new.secret)
    body = {"community": community.pk, "note": "Mai"}
    first = post(client, body, "key-1")
    again = post(client, body, "key-1")
    job = AgentJob.objects.get()
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json() == again.json() == {"job": str(job.id), "state": "pending"}
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert AgentCall.objects.count() == 1
    kept = IdempotentAnswer.objects.get()
    assert (kept.token, kept.key, kept.status, kept.body) == (new.token, "key-1", 202, first.json())


@pytest.mark.django_db
def test_the_same_key_with_another_body_answers_422(test_tools, make_token, bearer, community):
    client = bearer(make_token(scopes=["billing:run"]).secret)
    post(client, {"community": community.pk, "note": "Mai"}, "key-1")
    response = post(client, {"community": community.pk, "note": "Juni"}, "key-1")
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "idempotency_key_reused",
            "message": "Dieser Idempotency-Key wurde schon für eine andere Anfrage verwendet.",
            "details": {"header": "Idempotency-Key"},
        }
    }
    assert (AgentJob.objects.count(), AgentCall.objects.count()) == (1, 1)


@pytest.mark.django_db
def test_keys_belong_to_their_token(test_tools, make_token, bearer, community):
    body = {"community": community.pk, "note": "Mai"}
    post(bearer(make_token(scopes=["billing:run"]).secret), body, "shared")
    post(bearer(make_token(scopes=["billing:run"]).secret), body, "shared")
    assert AgentJob.objects.count() == 2


@pytest.mark.django_db
def test_a_refusal_is_kept_too(test_tools, make_token, bearer):
    client = bearer(make_token(scopes=["billing:run"]).secret)
    first = post(client, {"community": 999999, "note": "Mai"}, "key-404")
    again = post(client, {"community": 999999, "note": "Mai"}, "key-404")
    assert (first.status_code, again.status_code) == (404, 404)
    assert first.json() == again.json()
    assert AgentCall.objects.count() == 1


@pytest.mark.django_db
def test_a_key_in_flight_answers_409_and_runs_nothing(test_tools, make_token, bearer, community):
    new = make_token(scopes=["billing:run"])
    body = {"community": community.pk, "note": "Mai"}
    from api.idempotency import request_fingerprint

    IdempotentAnswer.objects.create(
        token=new.token, key="busy", request_hash=request_fingerprint(JOB_URL, body), status=IN_FLIGHT, body={}
    )
    response = post(bearer(new.secret), body, "busy")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "idempotency_key_in_flight",
        "message": "Eine Anfrage mit diesem Idempotency-Key wird gerade bearbeitet. Bitte später wiederholen.",
        "details": {"header": "Idempotency-Key"},
    }
    assert (AgentJob.objects.count(), AgentCall.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_a_claim_abandoned_for_ten_minutes_is_taken_over(test_tools, make_token, bearer, community):
    from api.idempotency import request_fingerprint

    new = make_token(scopes=["billing:run"])
    body = {"community": community.pk, "note": "Mai"}
    claim = IdempotentAnswer.objects.create(
        token=new.token, key="orphan", request_hash=request_fingerprint(JOB_URL, body), status=IN_FLIGHT, body={},
        created_at=timezone.now() - timedelta(minutes=9, seconds=50),
    )
    assert post(bearer(new.secret), body, "orphan").status_code == 409
    IdempotentAnswer.objects.filter(pk=claim.pk).update(created_at=timezone.now() - timedelta(minutes=10, seconds=1))
    response = post(bearer(new.secret), body, "orphan")
    assert response.status_code == 202
    assert AgentJob.objects.count() == 1
    assert IdempotentAnswer.objects.get().status == 202


@pytest.mark.django_db
def test_an_expired_answer_is_forgotten_and_the_key_runs_again(test_tools, make_token, bearer, community):
    client = bearer(make_token(scopes=["billing:run"]).secret)
    body = {"community": community.pk, "note": "Mai"}
    post(client, body, "old")
    IdempotentAnswer.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    assert post(client, body, "old").status_code == 202
    assert AgentJob.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "schlüssel"])
def test_a_malformed_key_answers_400(test_tools, make_token, bearer, community, key):
    response = post(bearer(make_token(scopes=["billing:run"]).secret), {"community": community.pk, "note": "x"}, key)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "idempotency_key_invalid",
        "message": "Der Idempotency-Key muss aus 1 bis 255 druckbaren ASCII-Zeichen bestehen.",
        "details": {"header": "Idempotency-Key"},
    }
    assert AgentJob.objects.count() == 0


@pytest.mark.django_db
def test_an_unexpected_failure_drops_the_claim_so_that_a_retry_runs(test_tools, make_token, bearer, community):
    client = bearer(make_token(scopes=["billing:run"]).secret)
    body = {"community": community.pk, "note": "Mai"}
    tool = api_fixtures.TOOLS["test_start_job"]
    calls = []

    def fail_once(caller, arguments):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the disk is full")
        return api_fixtures.start_job(caller, arguments)

    api_fixtures.TOOLS["test_start_job"] = replace(tool, run=fail_once)
    try:
        failed = post(client, body, "retry-me")
        retried = post(client, body, "retry-me")
    finally:
        api_fixtures.TOOLS["test_start_job"] = tool
    assert (failed.status_code, failed.json()["error"]["code"]) == (500, "server_error")
    assert retried.status_code == 202
    assert AgentJob.objects.count() == 1
    assert IdempotentAnswer.objects.get().status == 202


@pytest.mark.django_db
def test_forget_expired_answers_deletes_only_those_older_than_the_keep_time(make_token, settings):
    settings.AGENT_IDEMPOTENCY_HOURS = 24
    token = make_token().token
    now = timezone.now()
    for key, age in [("old", timedelta(hours=24, seconds=1)), ("young", timedelta(hours=23, minutes=59))]:
        IdempotentAnswer.objects.create(
            token=token, key=key, request_hash="h", status=200, body={}, created_at=now - age
        )
    assert forget_expired_answers(now=now) == 1
    assert list(IdempotentAnswer.objects.values_list("key", flat=True)) == ["young"]


@pytest.mark.django_db
def test_the_beat_forgets_expired_answers_daily_at_four():
    from django_celery_beat.models import PeriodicTask

    entry = PeriodicTask.objects.select_related("crontab").get(task="api.idempotency.forget_expired_answers")
    assert (entry.crontab.minute, entry.crontab.hour, str(entry.crontab.timezone), entry.enabled) == (
        "15", "4", "Europe/Zurich", True
    )


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_retry_while_the_first_runs_does_not_run_the_tool_twice(
    test_tools, make_token, bearer, community
):
    new = make_token(scopes=["billing:run"])
    body = {"community": community.pk, "note": "Mai"}
    started, release = threading.Event(), threading.Event()
    tool = api_fixtures.TOOLS["test_start_job"]

    def slow(caller, arguments):
        started.set()
        release.wait(10)
        return api_fixtures.start_job(caller, arguments)

    api_fixtures.TOOLS["test_start_job"] = replace(tool, run=slow)
    answers = {}

    def first():
        try:
            answers["first"] = post(bearer(new.secret), body, "race")
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    try:
        thread.start()
        assert started.wait(10)
        answers["second"] = post(bearer(new.secret), body, "race")
        release.set()
        thread.join(10)
    finally:
        release.set()
        api_fixtures.TOOLS["test_start_job"] = tool
    assert answers["first"].status_code == 202
    assert (answers["second"].status_code, answers["second"].json()["error"]["code"]) == (
        409, "idempotency_key_in_flight"
    )
    assert AgentJob.objects.count() == 1
    assert post(bearer(new.secret), body, "race").json() == answers["first"].json()
