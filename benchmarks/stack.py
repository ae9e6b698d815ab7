"""The stack as docker-compose.yml deploys it, started on this machine for the benchmarks that talk HTTP to it.

Shared by bench_agent.py (uvicorn alone) and bench_load.py (uvicorn, a Celery worker and beat): the database and
Redis are the bench's own (``DATABASE_URL``, ``REDIS_URL`` from the environment), everything else is the
production settings (``openleg.settings.production``) with what a benchmark says it changes, printed by the
caller. Each process is a child of the benchmark with its log under ``build/``; ``stop`` ends it (TERM, then KILL
after 15 s), so the benchmark leaves nothing running.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
START_TIMEOUT_SECONDS = 60


def django_with_demo() -> None:
    """Django set up in this process on the bench database, migrated, with the demo loaded on the first run."""
    import logging

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openleg.settings.test")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    from billing.models import BillingRun

    for talkative in ("httpx2", "mcp"):  # their INFO lines (one per request) would bury the tables
        logging.getLogger(talkative).setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    if not BillingRun.objects.exists():
        print("loading the demo (first run on this database) …", flush=True)
        call_command("load_demo", verbosity=0)


def server_command(*, port: int, workers: int, log_level: str = "warning") -> list[str]:
    """uvicorn as docker-compose.yml runs it (its worker count is the caller's), on loopback, without access log;
    at ``log_level`` "info" the log also has uvicorn's lines about its worker processes (started, died)."""
    return [
        sys.executable, "-m", "uvicorn", "openleg.asgi:application", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--no-access-log", "--log-level", log_level,
    ]


def production_environment(base: dict, *, secret_key: str, **changes: str) -> dict:
    """The production settings on loopback; DATABASE_URL and REDIS_URL come from ``base`` as the bench's own;
    ``changes`` are the settings a benchmark changes (it prints them)."""
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "openleg.settings.production",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        **changes,
    }


def start_server(
    environment: dict, *, port: int, workers: int, log_path: Path, log_level: str = "warning"
) -> subprocess.Popen:
    """uvicorn started and answering /healthz (SystemExit with the log's end when it does not within a minute)."""
    log_path.parent.mkdir(exist_ok=True)
    server = subprocess.Popen(
        server_command(port=port, workers=workers, log_level=log_level), cwd=ROOT, env=environment,
        stdout=log_path.open("w"), stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped at start:\n{log_path.read_text()[-3000:]}")
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": "localhost"})
            with urllib.request.urlopen(request, timeout=2) as answer:
                if answer.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.25)
    stop(server)
    raise SystemExit(f"the server did not answer /healthz within {START_TIMEOUT_SECONDS} s:\n"
                     f"{log_path.read_text()[-3000:]}")


def celery_command(kind: str) -> list[str]:
    """The worker or beat as docker-compose.yml runs them."""
    if kind == "worker":
        return [sys.executable, "-m", "celery", "-A", "openleg", "worker", "--loglevel=INFO"]
    return [
        sys.executable, "-m", "celery", "-A", "openleg", "beat", "--loglevel=INFO",
        "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
        "--pidfile", "",  # beat's default pidfile in the working directory would collide with another beat's
    ]


def start_celery(kind: str, environment: dict, *, log_path: Path) -> subprocess.Popen:
    log_path.parent.mkdir(exist_ok=True)
    process = subprocess.Popen(
        celery_command(kind), cwd=ROOT, env=environment, stdout=log_path.open("w"), stderr=subprocess.STDOUT
    )
    time.sleep(0.5)
    if process.poll() is not None:
        raise SystemExit(f"celery {kind} stopped at start:\n{log_path.read_text()[-3000:]}")
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def process_cpu_seconds(pid: int) -> float:
    """CPU seconds (user and system) a process has used so far; 0.0 when it has ended or there is no /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_backends_cpu() -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend now serving the bench database (the stack's pooled connections;
    this process's own excluded): the database's share of a request, which the stack's processes do not show.
    Empty on another database or where PostgreSQL runs elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    return {pid: process_cpu_seconds(pid) for pid in pids}


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user and system) used so far by a process and its descendants alive now (uvicorn's workers,
    Celery's pool), read from /proc; 0.0 where there is no /proc."""
    processes = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        processes[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    tree, grown = {root}, True
    while grown:
        members = {pid for pid, (parent, _ticks) in processes.items() if parent in tree} | tree
        grown, tree = members != tree, members
    return sum(ticks for pid, (_parent, ticks) in processes.items() if pid in tree) / os.sysconf("SC_CLK_TCK")
