"""Celery's side of the operator's signals: the request id travels with a task, log lines of a task name it, and
every task is counted (outcome, run time). Connected by openleg/celery.py in every process that loads the app.
"""

import logging
import time

from celery.signals import beat_init, before_task_publish, setup_logging, task_postrun, task_prerun, task_retry

from openleg.log_context import current_request_id, request_id_var, task_var
from openleg.metrics import observe_task

REQUEST_ID_HEADER = "openleg_request_id"
# A retry is counted by its own signal. Eager tasks that propagate errors (the test settings) end without a state.
OUTCOMES = {"SUCCESS": "succeeded", "FAILURE": "failed"}

logger = logging.getLogger(__name__)
_running: dict[str, tuple[float, list]] = {}  # task id → (start, context tokens to reset)
_in_beat = False


@setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Worker and beat log through settings.LOGGING (JSON lines in production) instead of Celery's own set-up."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@beat_init.connect
def mark_beat_process(**kwargs) -> None:
    global _in_beat
    _in_beat = True


@before_task_publish.connect
def add_request_id(sender=None, headers=None, **kwargs) -> None:
    request_id = current_request_id()
    if request_id and headers is not None:
        headers[REQUEST_ID_HEADER] = request_id
    if _in_beat:
        _stamp_beat(sender)


def _stamp_beat(task_name: str | None) -> None:
    from openleg.heartbeat import HEARTBEAT_TASK, heartbeat_stamp

    if task_name != HEARTBEAT_TASK:
        return
    try:
        heartbeat_stamp(component="beat")
    except Exception:  # the stamp must never keep beat from sending; /healthz then says the beat is stale
        logger.warning("Beat heartbeat could not be stored", exc_info=True)


def _request_id_of(task) -> str | None:
    """The id a worker got in the message headers; eager tasks (no message) keep the caller's context."""
    request = task.request
    return getattr(request, REQUEST_ID_HEADER, None) or (request.headers or {}).get(REQUEST_ID_HEADER)


@task_prerun.connect
def enter_task(task_id=None, task=None, **kwargs) -> None:
    tokens = [(task_var, task_var.set((task_id, task.name)))]
    request_id = _request_id_of(task)
    if request_id:
        tokens.append((request_id_var, request_id_var.set(request_id)))
    _running[task_id] = (time.perf_counter(), tokens)


@task_postrun.connect
def leave_task(task_id=None, task=None, state=None, **kwargs) -> None:
    started, tokens = _running.pop(task_id, (None, []))
    seconds = None if started is None else time.perf_counter() - started
    observe_task(task=task.name, outcome=OUTCOMES.get(state), seconds=seconds)
    for var, token in reversed(tokens):
        var.reset(token)


@task_retry.connect
def count_retry(sender=None, **kwargs) -> None:
    observe_task(task=sender.name, outcome="retried")
