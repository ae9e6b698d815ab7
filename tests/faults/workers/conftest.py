"""Fault tests against real processes: a private redis-server on a free port (never the shared one), Celery workers
(or management commands) started as subprocesses on the test database, and a PostgreSQL table lock that holds a
task in the middle of its transaction until the test has killed its process.

The lock is how a kill lands "during the work" without a hook in the code: the test takes ``LOCK TABLE … IN SHARE
MODE`` on a table the task writes late in its transaction, starts the task, and waits until PostgreSQL shows the
task's connection waiting for that lock; by then everything before that write has been done in the open
transaction. Then the process is killed (or told to stop) and the lock released.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from tests.conftest import REQUIRE_SERVICES
from tests.faults.servers import PrivateRedis

WORKTREE = Path(settings.BASE_DIR)
START_TIMEOUT = 90  # seconds for a worker to start on a loaded 2-core machine


def until(condition, *, timeout: float, what: str, log: "Path | None" = None):
    """Poll ``condition`` until it returns something true; fail with ``what`` (and the process's log) otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = log.read_text()[-4000:] if log and log.exists() else ""
            pytest.fail(f"timed out after {timeout} s waiting for {what}\n{tail}")
        time.sleep(0.1)


class BrokerRedis(PrivateRedis):
    """The private Redis as the workers' broker, with a look at the queue."""

    def waiting(self) -> tuple[int, int]:
        """(messages queued, messages delivered to a worker and not yet acknowledged)."""
        with redis.Redis(port=self.port) as client:
            return client.llen("celery"), client.hlen("unacked")


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        if REQUIRE_SERVICES:
            pytest.fail("the fault tests need redis-server, which OPENLEG_REQUIRE_SERVICES=1 makes mandatory")
        pytest.skip("needs redis-server")
    server = BrokerRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(private_redis):
    """Sends task messages to the private Redis by name, as any door's ``delay`` would."""
    # Not the current app: shared tasks would bind to it (no eager mode, this broker) for every later test.
    client = Celery("faults-client", broker=private_redis.url(), set_as_current=False)

    def send(name: str, *args) -> None:
        client.send_task(name, args=list(args))

    yield send
    client.close()


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Process:
    """A worker or command started in its own process group, its output in a log file."""

    def __init__(self, args: list[str], *, env: dict, log: Path):
        self.log = log
        with log.open("ab") as output:
            self.popen = subprocess.Popen(
                args, cwd=WORKTREE, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self) -> None:
        """SIGKILL to the whole process group: the main process and its pool children die at once."""
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.popen.pid}/task/{self.popen.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill_pool_child(self) -> int:
        """SIGKILL to the pool process running the task (what the kernel's out-of-memory killer does)."""
        (child,) = until(self.children, timeout=10, what="the pool child", log=self.log)
        os.kill(child, signal.SIGKILL)
        return child

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.kill()


@pytest.fixture
def processes(private_redis, tmp_path):
    """Starts workers and commands on the test database and the private Redis; all are killed at teardown."""
    started: list[Process] = []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.workers.worker_settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": private_redis.url(),
        "DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }

    class Starter:
        def worker(self, *, visibility_timeout: int = 600) -> Process:
            number = len(started) + 1
            log = tmp_path / f"worker{number}.log"
            process = Process(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "openleg",
                    "worker",
                    "-P",
                    "prefork",
                    "-c",
                    "1",
                    "-n",
                    f"faults{number}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-l",
                    "INFO",
                ],
                env={
                    **env,
                    "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                    "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
                },
                log=log,
            )
            started.append(process)
            until(lambda: " ready." in log.read_text(), timeout=START_TIMEOUT, what="the worker", log=log)
            return process

        def command(self, *args: str) -> Process:
            log = tmp_path / f"command{len(started) + 1}.log"
            process = Process(
                [sys.executable, "manage.py", *args], env={**env, "MEDIA_ROOT": str(settings.MEDIA_ROOT)}, log=log
            )
            started.append(process)
            return process

    yield Starter()
    for process in started:
        process.stop()


class Database:
    """A second connection of the test's own, for locks and for watching what the other processes wait for."""

    def __init__(self):
        db = connection.settings_dict
        self.params = {
            "dbname": db["NAME"],
            "user": db["USER"],
            "password": db["PASSWORD"] or None,
            "host": db["HOST"] or "127.0.0.1",
            "port": db["PORT"] or 5432,
        }

    def _connect(self, **options):
        return psycopg.connect(**self.params, **options)

    @contextmanager
    def table_lock(self, table: str):
        """Writers of ``table`` wait inside their transaction until the block ends (readers go on)."""
        lock = self._connect()
        try:
            lock.execute(f'LOCK TABLE "{table}" IN SHARE MODE')
            yield
        finally:
            lock.rollback()
            lock.close()

    def waiting_for(self, table: str) -> list[int]:
        """The backends (pids) waiting for a lock on ``table``."""
        with self._connect(autocommit=True) as watch:
            rows = watch.execute(
                "SELECT pid FROM pg_locks WHERE NOT granted AND relation = %s::regclass", [table]
            ).fetchall()
        return sorted(row[0] for row in rows)

    def waiting(self) -> list[int]:
        """The backends of the test database waiting for any lock (a table, a row another transaction holds)."""
        with self._connect(autocommit=True) as watch:
            rows = watch.execute(
                "SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE NOT l.granted AND a.datname = %s",
                [self.params["dbname"]],
            ).fetchall()
        return sorted(row[0] for row in rows)

    def backends_gone(self, pids: list[int]) -> bool:
        with self._connect(autocommit=True) as watch:
            return not watch.execute("SELECT 1 FROM pg_stat_activity WHERE pid = ANY(%s)", [pids]).fetchall()


@pytest.fixture
def database(transactional_db):
    if connection.vendor != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("the fault tests need PostgreSQL, which OPENLEG_REQUIRE_SERVICES=1 makes mandatory")
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    return Database()
