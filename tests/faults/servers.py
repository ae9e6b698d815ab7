"""Private servers for the fault tests: a PostgreSQL cluster, Redis, the app under uvicorn and a Celery worker,
each a process of its own on a free loopback port in a temporary directory, so that stopping one never touches the
machine's shared PostgreSQL and Redis (other engineers and CI use those)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

PG_BIN = Path(os.environ.get("OPENLEG_PG_BIN", "/usr/lib/postgresql/15/bin"))
ROOT = Path(__file__).resolve().parents[2]
# Variables of the outer test run that must not leak into a server process: it gets its own services.
OWN_SETTINGS = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_SETTINGS_MODULE"}


def missing_fault_tools() -> str | None:
    """What the fault tests lack on this machine, or None."""
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL server binaries ({PG_BIN}/initdb)"
    if shutil.which("redis-server") is None:
        return "redis-server"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} not reached within {seconds} s")


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _as_postgres(command: list[str]) -> list[str]:
    # initdb refuses to run as root: as root the cluster belongs to the postgres user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    """A PostgreSQL cluster of its own (trust authentication on loopback), fsync off: a test server."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(directory, user="postgres", group="postgres")
        subprocess.run(
            _as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"]),
            check=True, capture_output=True,
        )

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _ctl(self, *arguments: str) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"),
                          "-o", options, "-w", "-t", "60", *arguments]),
            check=True, capture_output=True,
        )

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def psql(self, database: str, sql: str) -> str:
        command = [str(PG_BIN / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", self.url(database)]
        done = subprocess.run([*command, "-c", sql], check=True, capture_output=True, text=True)
        return done.stdout.strip()

    def copy_database(self, source_url_args: list[str], source_env: dict[str, str], database: str) -> None:
        """Create ``database`` here as a copy of another server's database (schema and data, as pg_dump sees it)."""
        subprocess.run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", database],
                       check=True, capture_output=True)
        dump = subprocess.Popen([str(PG_BIN / "pg_dump"), "--no-owner", "--no-privileges", *source_url_args],
                                stdout=subprocess.PIPE, env={**os.environ, **source_env})
        subprocess.run([str(PG_BIN / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url(database)],
                       stdin=dump.stdout, check=True, capture_output=True)
        dump.stdout.close()
        if dump.wait() != 0:
            raise RuntimeError("pg_dump of the test database failed")


class PrivateRedis:
    """redis-server in the foreground, no persistence: stopped, it comes back empty (as a restarted cache does)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.directory)],
            stdout=(self.directory / "redis.log").open("ab"), stderr=subprocess.STDOUT,
        )
        wait_until(lambda: port_open(self.port), seconds=10, what=f"Redis on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGCONT)  # a paused server must be able to end
                self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def pause(self) -> None:
        """Freeze the server: connections are accepted by the kernel, and nothing is ever answered."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


def server_env(**variables: str) -> dict[str, str]:
    """The environment of a server process: production settings, nothing of the outer test run's services."""
    env = {key: value for key, value in os.environ.items() if key not in OWN_SETTINGS}
    env.update(
        DJANGO_SETTINGS_MODULE="openleg.settings.production",
        SECRET_KEY="fault-tests-secret-key-not-for-production-0123456789",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="False",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(variables)
    return env


class Process:
    """A child process with its output in a log file; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


class App(Process):
    """The real application: ``uvicorn openleg.asgi:application`` with the production settings."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        super().__init__(
            [sys.executable, "-m", "uvicorn", "openleg.asgi:application", "--host", "127.0.0.1",
             "--port", str(self.port), "--no-access-log"],
            env, log,
        )
        wait_until(self._answers, seconds=90, what="the app answering /healthz")

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"the app exited:\n{self.output()[-3000:]}")
        try:
            requests.get(f"{self.base}/healthz", timeout=15)
        except requests.ConnectionError:
            return False
        return True


def manage(env: dict[str, str], *arguments: str) -> str:
    """``manage.py`` against the private servers; its standard output."""
    done = subprocess.run([sys.executable, "manage.py", *arguments], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{done.stderr[-3000:]}")
    return done.stdout
