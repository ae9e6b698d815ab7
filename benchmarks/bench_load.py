"""Load on the deployed stack: portal users, staff, B2B and agent API clients, MCP sessions and meter uploads at
once, against uvicorn (3 workers), a Celery worker and beat with the production settings on this machine.

Run: createdb -h 127.0.0.1 -U postgres openleg_load
     export DATABASE_URL=postgres://postgres@127.0.0.1:5432/openleg_load REDIS_URL=redis://127.0.0.1:6379/9
     .venv/bin/python benchmarks/bench_load.py
     (BENCH_SECONDS per phase, default 60; BENCH_THINK_SECONDS, default 3; BENCH_PORT, default 8150;
      BENCH_PHASES, default think,nopause,limits;
      BENCH_WORKERS uvicorn workers, default 3 as in docker-compose.yml; users per scenario: BENCH_PORTAL 8,
      BENCH_STAFF 3, BENCH_B2B 3, BENCH_AGENT 3, BENCH_MCP 3 (20 in all), BENCH_UPLOADERS 2 besides them)
The first run migrates the database, loads the demo, builds a 200-participant community of the demo utility with
March 2026 through the importer, approves its run and renders its invoice PDFs (a few minutes); later runs reuse
them. Redis: the bench's own database (``REDIS_URL``), whose login-throttle counts of the bench's users it clears.

The stack: ``openleg.settings.production`` with the bench's DATABASE_URL and REDIS_URL, ``OPENLEG_BEHIND_PROXY=True``
as deployed (the client sends the proxy's X-Forwarded-Proto/-For, see load_client.py), and one change, printed:
``METER_IMPORT_ASYNC_BYTES=0``, so that every portal upload is applied by the worker as a large file is. Everything
else (the agent rate of 120/min per token, the B2B limits, the login throttle, the connection pool) as deployed.

Phases, each with the same users, closed loop (a user sends its next request when the last one is answered and
its pause is over): 1. with think time, 2. without pause (the worst case), 3. the limits (load_limits.py). Printed
per scenario and phase: requests, throughput, p50/p95/p99, errors (5xx, an unexpected status, no answer) and their
rate, throttled calls (429), the client's own CPU share; per page or endpoint the same below; the uploads' time to
applied. Goal: no 5xx, no error, p99 under 500 ms for page views and API reads at 20 users.
"""

import os
import secrets
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.agent_load import mcp_load
from benchmarks.load_client import Client
from benchmarks.load_report import phase_report
from benchmarks.load_scenarios import (
    B2B_READS,
    Plan,
    address,
    agent_reads,
    api_user,
    portal_user,
    staff_user,
    uploader,
)
from benchmarks.stack import (
    BUILD,
    database_backends_cpu,
    django_with_demo,
    production_environment,
    start_celery,
    start_server,
    stop,
    tree_cpu_seconds,
)

SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
THINK = float(os.environ.get("BENCH_THINK_SECONDS", "3"))
PORT = int(os.environ.get("BENCH_PORT", "8150"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
USERS = {name: int(os.environ.get(f"BENCH_{name.upper()}", default)) for name, default in
         (("portal", "8"), ("staff", "3"), ("b2b", "3"), ("agent", "3"), ("mcp", "3"), ("uploaders", "2"))}
UPLOAD_WAIT_SECONDS = 120  # after the phase's end, for the worker to apply the last uploads
PHASES = os.environ.get("BENCH_PHASES", "think,nopause,limits").split(",")
MCP_TOOLS = ("get_billing_summary", "get_pipeline_dashboard", "get_vnb_pipeline")
CHANGED = {"OPENLEG_BEHIND_PROXY": "True", "METER_IMPORT_ASYNC_BYTES": "0"}
MEDIA_ROOT = str(BUILD / "bench_load_media")  # the stack's files (PDFs, meter files), apart from the demo's media/
# This process sets the data up with the stack's settings (the same hashers, cache prefix, files), but runs its
# tasks at once and keeps its mails: the worker is not started yet.
SETUP_ONLY = {"CELERY_TASK_ALWAYS_EAGER": "True", "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}


def stack_environment() -> dict:
    return production_environment(
        dict(os.environ), secret_key=secrets.token_urlsafe(50), MEDIA_ROOT=MEDIA_ROOT, **CHANGED
    )


def _threads(plan: Plan) -> tuple[list[threading.Thread], list[Client]]:
    data, clients, threads = plan.data, [], []

    def user(scenario, target, *args, headers=None):
        client = Client(plan.port, scenario=scenario, address=address(len(clients)), headers=headers)
        clients.append(client)
        threads.append(threading.Thread(target=target, args=(client, plan, *args), daemon=True))

    for username in data.portal_users:
        user("portal", portal_user, username)
    for username in data.staff:
        user("staff", staff_user, username)
    for index in range(USERS["b2b"]):
        reads = list(B2B_READS[index % len(B2B_READS):] + B2B_READS[:index % len(B2B_READS)])
        user("b2b", api_user, reads, headers={"Authorization": f"Bearer {data.b2b_secret}"})
    for secret in data.agent_secrets[: USERS["agent"]]:
        user("agent", api_user, agent_reads(data), headers={"Authorization": f"Bearer {secret}"})
    for username in data.uploaders:
        user("upload", uploader, username)
    return threads, clients


def _mcp_thread(plan: Plan, results: list) -> list[threading.Thread]:
    """One thread per MCP tool, its clients as asyncio sessions; each client has a token of its own."""
    threads = []
    secrets_ = plan.data.agent_secrets[USERS["agent"]:]
    for index, secret in enumerate(secrets_):
        tool = MCP_TOOLS[index % len(MCP_TOOLS)]
        arguments = plan.data.run_summary if tool == "get_billing_summary" else {}

        def run(secret=secret, tool=tool, arguments=arguments):
            deadline = plan.ready()  # the session is opened after the start: its initialize is not timed
            results.append(mcp_load(
                f"http://127.0.0.1:{plan.port}/mcp", secret, tool, arguments, clients=1,
                seconds=deadline - time.perf_counter(),
                think=plan.think, headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.200"},
            ))
        threads.append(threading.Thread(target=run, daemon=True))
    return threads


def _watch_uploads(plan: Plan, until: float, finished: dict, users_done: threading.Event) -> None:
    """Polls the database (not the server) for each upload's import until it is applied or refused, and until the
    users have stopped (an upload in flight at the deadline is still followed), at most until ``until``."""
    from django.db import connection

    from metering.models import MeterImport

    try:
        _poll_uploads(plan, until, finished, users_done, MeterImport)
    finally:
        connection.close()


def _poll_uploads(plan: Plan, until: float, finished: dict, users_done: threading.Event, MeterImport) -> None:
    while time.perf_counter() < until:
        waiting = {pk: began for pk, began in plan.applied if pk not in finished}
        if waiting:
            for pk, status, run_state in MeterImport.objects.filter(pk__in=waiting).values_list(
                "pk", "status", "run_state"
            ):
                if status != MeterImport.Status.PREVIEW or run_state == MeterImport.RunState.FAILED:
                    # applied, or superseded (an uploader sent a newer file of the same day first), unchanged…
                    finished[pk] = (time.perf_counter() - waiting[pk], "failed" if status == "preview" else status)
        elif users_done.is_set():
            break
        time.sleep(0.2)


def run_phase(name: str, plan: Plan, stack: dict) -> None:
    threads, clients = _threads(plan)
    mcp_results: list = []
    threads += _mcp_thread(plan, mcp_results)
    for thread in threads:
        thread.start()
    deadline = plan.ready()  # every user has logged in
    load_before = os.getloadavg()
    server_before = {name: tree_cpu_seconds(process.pid) for name, process in stack.items()}
    database_before = database_backends_cpu()
    began, cpu = time.perf_counter(), time.process_time()
    finished, users_done = {}, threading.Event()
    watcher = threading.Thread(
        target=_watch_uploads, args=(plan, deadline + UPLOAD_WAIT_SECONDS, finished, users_done), daemon=True
    )
    watcher.start()
    for thread in threads:
        thread.join()
    wall, client_cpu = time.perf_counter() - began, time.process_time() - cpu
    server_cpu = {name: tree_cpu_seconds(process.pid) - server_before[name] for name, process in stack.items()}
    # a backend opened during the phase counts whole; one closed during it is missed (the pools keep theirs)
    server_cpu["PostgreSQL"] = sum(
        seconds - database_before.get(pid, 0.0) for pid, seconds in database_backends_cpu().items()
    )
    users_done.set()
    watcher.join()
    for client in clients:
        client.close()
    samples = [sample for client in clients for sample in client.samples]
    failures = sorted({client.first_failure for client in clients if client.first_failure})
    print(phase_report(
        name, samples=samples, mcp=mcp_results, wall=wall, client_cpu=client_cpu, load=(load_before, os.getloadavg()),
        uploads=(len(plan.applied), list(finished.values())), failures=failures, server_cpu=server_cpu,
    ), flush=True)


def worker_restarts(log_path: Path, workers: int) -> str:
    """uvicorn restarts a worker that died or that missed its health check (a ping answered within 5 s): every
    request that worker held is lost (the client sees the connection closed without an answer)."""
    text = log_path.read_text()
    started, died = text.count("Started server process"), text.count("died")
    return (f"uvicorn worker processes started: {started} for {workers} workers ({started - workers} restarts, "
            f"{died} reported dead); see {log_path}")


def _forget_login_failures() -> None:
    """Clear the login-throttle counts in the bench's Redis (a previous run's limit phase locked an account)."""
    from django.core.cache import cache

    from accounts.login_throttle import PREFIX

    if hasattr(cache, "delete_pattern"):  # django-redis; the local-memory cache starts empty anyway
        cache.delete_pattern(f"{PREFIX}:*")


def main() -> None:
    environment = stack_environment()
    os.environ.update({**environment, **SETUP_ONLY})
    django_with_demo()
    from django.conf import settings
    from django.core.management import call_command

    from benchmarks import load_data
    from benchmarks.load_limits import limits_phase

    total = sum(USERS[name] for name in ("portal", "staff", "b2b", "agent", "mcp"))
    users = total + USERS["uploaders"]
    data = load_data.prepare(
        portal_users=USERS["portal"], uploaders=USERS["uploaders"], staff=USERS["staff"],
        agent_clients=USERS["agent"] + USERS["mcp"],
    )
    _forget_login_failures()
    call_command("collectstatic", interactive=False, verbosity=0)  # as the Dockerfile does: the manifest is needed
    server_log = BUILD / "bench_load_server.log"
    server = start_server(environment, port=PORT, workers=WORKERS, log_path=server_log, log_level="info")
    worker = start_celery("worker", environment, log_path=BUILD / "bench_load_worker.log")
    beat = start_celery("beat", environment, log_path=BUILD / "bench_load_beat.log")
    try:
        print(
            f"stack: uvicorn openleg.asgi:application --workers {WORKERS}, celery worker (concurrency = cores: "
            f"{os.cpu_count()}), celery beat; openleg.settings.production with {CHANGED}; database "
            f"{settings.DATABASES['default']['NAME']}, Redis {settings.REDIS_URL}; logs in {BUILD}/bench_load_*.log\n"
            f"users: {total} for pages and API reads ({USERS['portal']} portal, {USERS['staff']} staff, "
            f"{USERS['b2b']} B2B, {USERS['agent']} agent REST, {USERS['mcp']} MCP) and {USERS['uploaders']} "
            f"uploaders, closed loop; {SECONDS:g} s per phase; {len(data.invoice_ids)} invoices with PDFs in run "
            f"{data.run_id} of community {data.community_id}",
            flush=True,
        )
        load_phases = {
            "think": (f"think time {THINK:g} s (uniform {THINK / 2:g}–{THINK * 1.5:g} s)", THINK),
            "nopause": ("no pause (worst case)", 0.0),
        }
        for phase in PHASES:
            if phase in load_phases:
                name, think = load_phases[phase]
                plan = Plan(port=PORT, seconds=SECONDS, think=think, data=data, password=load_data.PASSWORD,
                            users=users)
                run_phase(name, plan, {"uvicorn": server, "worker": worker, "beat": beat})
        if "limits" in PHASES:
            print(limits_phase(PORT, data, password=load_data.PASSWORD), flush=True)
        print(worker_restarts(server_log, WORKERS), flush=True)
    finally:
        for process in (beat, worker, server):
            stop(process)
        load_data.revoke(data)


if __name__ == "__main__":
    main()
