"""What every log line says about where it comes from: the request id, and inside a Celery task its id and name.

Kept in context variables: each request (a thread of its own under ASGI) and each task sees only its own. A request
id comes from the proxy's ``X-Request-ID`` when it is well formed, else a new one is made; tasks queued during a
request carry it in their message headers (``openleg.celery_signals``).
"""

import contextvars
import logging
import re
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("openleg_request_id", default="")
task_var: contextvars.ContextVar[tuple[str, str]] = contextvars.ContextVar("openleg_task", default=("", ""))

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is taken as it is when it has 8 to 64 letters, digits, '-', '_' or '.': a uuid, a hex id, a trace
# id. Anything else (too long, spaces, quotes, control characters) could forge or break log lines; it is replaced.
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,64}")


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(header: str | None) -> str:
    """The incoming id when it is well formed, else a new one."""
    if header and _WELL_FORMED.fullmatch(header):
        return header
    return new_request_id()


def current_request_id() -> str:
    return request_id_var.get()


class LogContextFilter(logging.Filter):
    """Adds ``request_id``, ``task_id`` and ``task_name`` to every record (empty outside a request or task), and
    ``context``, the same for people: " [request 3f2a…]" or " [task openleg.tasks.heartbeat 8c1e…]".

    Attached to the handlers, so that records of every logger (Django's, Celery's, ours) get them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.task_id, record.task_name = task_var.get()
        parts = [f"task {record.task_name} {record.task_id}"] if record.task_id else []
        if record.request_id:
            parts.append(f"request {record.request_id}")
        record.context = f" [{', '.join(parts)}]" if parts else ""
        return True
