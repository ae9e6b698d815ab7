"""Tasks carry the request that queued them into their log lines, and are counted by outcome."""

import io
import json
import time
from logging.config import dictConfig

import pytest
from celery import shared_task
from django.conf import settings as django_settings

from openleg.celery import app
from openleg.log_context import request_id_var
from openleg.metrics import REGISTRY
from openleg.settings.components import logging_settings

SAY = "tests.openleg.say"
FLAKY = "tests.openleg.flaky"
BROKEN = "tests.openleg.broken"
_flaky_tries = {"n": 0}


@shared_task(name=SAY)
def say(text):
    import logging

    logging.getLogger("tests.openleg.tasks").info("saying %s", text)


@shared_task(name=FLAKY, bind=True, max_retries=3, default_retry_delay=0)
def flaky(self):
    _flaky_tries["n"] += 1
    if _flaky_tries["n"] == 1:
        raise self.retry()


@shared_task(name=BROKEN)
def broken():
    raise ValueError("kaputt")


@pytest.fixture
def json_buffer(settings):
    """Production's JSON logging into a buffer; a worker that sets logging up (setup_logging) takes it too."""
    original = django_settings.LOGGING
    buffer = io.StringIO()
    config = logging_settings(json_lines=True, level="INFO")
    config["handlers"]["console"]["stream"] = buffer
    settings.LOGGING = config
    dictConfig(config)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    dictConfig(original)


def _task_lines(lines):
    return [line for line in lines if line["logger"] == "tests.openleg.tasks"]


def test_an_eager_task_logs_with_the_request_id_and_its_own_id_and_name(json_buffer):
    token = request_id_var.set("req-eager-000001")
    try:
        result = say.apply_async(args=["grüezi"], task_id="task-eager-0001")
    finally:
        request_id_var.reset(token)
    assert result.successful()

    [line] = _task_lines(json_buffer())
    line.pop("time")
    assert line == {
        "level": "INFO",
        "logger": "tests.openleg.tasks",
        "message": "saying grüezi",
        "request_id": "req-eager-000001",
        "task_id": "task-eager-0001",
        "task_name": SAY,
    }
    assert request_id_var.get() == ""


@pytest.mark.redis
@pytest.mark.django_db  # the worker's Django fix-up looks after its connection (never transaction=True: its flush
# would delete the rows data migrations made, the beat entries, for the tests after it)
def test_a_worker_gets_the_request_id_through_the_message_headers(json_buffer):
    """A real worker (a thread with a context of its own) consuming from Redis: only the header brings the id."""
    from celery.contrib.testing.worker import start_worker

    app.conf.task_always_eager = False
    try:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge("celery")
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            token = request_id_var.set("req-worker-000001")
            try:
                say.apply_async(args=["über Redis"], task_id="task-worker-0001")
            finally:
                request_id_var.reset(token)
            deadline = time.monotonic() + 20
            while not _task_lines(json_buffer()) and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        app.conf.task_always_eager = True

    lines = json_buffer()
    [line] = _task_lines(lines)
    assert (line["message"], line["request_id"], line["task_id"], line["task_name"]) == (
        "saying über Redis",
        "req-worker-000001",
        "task-worker-0001",
        SAY,
    )
    [done] = [entry for entry in lines if entry["logger"] == "celery.app.trace"]
    assert done["message"].startswith(f"Task {SAY}[task-worker-0001] succeeded in ")
    assert (done["request_id"], done["task_id"]) == ("req-worker-000001", "task-worker-0001")


def _tasks(name, outcome):
    return REGISTRY.get_sample_value("openleg_celery_tasks_total", {"task": name, "outcome": outcome}) or 0


def _durations(name):
    return REGISTRY.get_sample_value("openleg_celery_task_duration_seconds_count", {"task": name}) or 0


def test_tasks_are_counted_by_outcome_with_their_durations():
    before = {
        "said": _tasks(SAY, "succeeded"),
        "retried": _tasks(FLAKY, "retried"),
        "flaky_ok": _tasks(FLAKY, "succeeded"),
        "failed": _tasks(BROKEN, "failed"),
        "durations": _durations(SAY),
    }
    _flaky_tries["n"] = 0

    say.delay("eins")
    say.delay("zwei")
    # As a worker runs them: errors stay in the task (the test settings' eager mode would raise them at the caller
    # before Celery records a state).
    assert flaky.apply(throw=False).successful()  # the retry runs at once, eagerly
    assert broken.apply(throw=False).failed()

    assert _tasks(SAY, "succeeded") - before["said"] == 2
    assert _durations(SAY) - before["durations"] == 2
    assert _tasks(FLAKY, "retried") - before["retried"] == 1
    assert _tasks(FLAKY, "succeeded") - before["flaky_ok"] == 1
    assert _tasks(BROKEN, "failed") - before["failed"] == 1
