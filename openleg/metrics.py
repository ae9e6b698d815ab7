"""The counters and histograms every process keeps: HTTP requests and Celery tasks.

Web (three uvicorn processes) and worker (Celery's processes) each count their own. With
``PROMETHEUS_MULTIPROC_DIR`` set in a process's environment before it starts, prometheus_client keeps its values
in memory-mapped files there (one per process and kind), which ``/metrics`` sums (``openleg.metrics_view``). Without
it (development, tests) they stay in this process's memory, in ``REGISTRY``.

Labels are bounded: a route is the resolver's view name or route pattern, never the raw path; a method outside
the usual ones counts as ``other``; a status as its class (``2xx``); a task by its registered name.
"""

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "openleg_http_requests",
    "HTTP requests answered by Django, by method, route and status class.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_DURATION = Histogram(
    "openleg_http_request_duration_seconds",
    "Time from the request entering Django's middleware to the response leaving it, by route.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
CELERY_TASKS = Counter(
    "openleg_celery_tasks",
    "Celery task executions by task name and outcome (succeeded, failed, retried).",
    ["task", "outcome"],
    registry=REGISTRY,
)
CELERY_DURATION = Histogram(
    "openleg_celery_task_duration_seconds",
    "Run time of Celery tasks by task name (every outcome).",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 1800.0),
    registry=REGISTRY,
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"


def route_of(request) -> str:
    """The route a request took: the resolver's view name (``portal:home``, ``admin:billing_invoice_changelist``;
    the view's dotted path where a route has no name), or ``<unmatched>`` when nothing matched (404 by the
    resolver) or a middleware answered before the resolver (an HTTPS redirect)."""
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else UNMATCHED


def observe_request(*, method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else "other"
    HTTP_REQUESTS.labels(method=method, route=route, status=f"{status // 100}xx").inc()
    HTTP_DURATION.labels(route=route).observe(seconds)


def observe_task(*, task: str, outcome: str | None, seconds: float | None = None) -> None:
    if outcome is not None:
        CELERY_TASKS.labels(task=task, outcome=outcome).inc()
    if seconds is not None:
        CELERY_DURATION.labels(task=task).observe(seconds)
