"""A Celery worker (a real process, the production settings) whose broker Redis goes away and comes back resumes
consuming by itself: no restart of the worker."""

import sys
import time

import pytest
from celery import Celery

from tests.faults.conftest import DATABASE
from tests.faults.servers import Process, server_env, wait_until

# django_db: pytest-django then creates the test database, which the private cluster copies.
pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.django_db]

TASK = "api.idempotency.forget_expired_answers"  # deletes kept Idempotency-Key answers past their keeping time


def keep_an_expired_answer(postgres, key: str) -> None:
    postgres.psql(DATABASE, (
        "INSERT INTO api_idempotentanswer (token_id, key, request_hash, status, body, created_at) "
        f"SELECT id, '{key}', 'probe', 200, '{{}}', now() - interval '30 days' FROM api_agenttoken LIMIT 1"
    ))


def kept(postgres, key: str) -> int:
    return int(postgres.psql(DATABASE, f"SELECT count(*) FROM api_idempotentanswer WHERE key = '{key}'"))


def queue(redis_url: str) -> None:
    """Queue the task by name, as beat does, on the broker alone (this process runs the test settings)."""
    sender = Celery("fault-test-sender", broker=redis_url, set_as_current=False)
    try:
        sender.send_task(TASK)
    finally:
        sender.close()


def test_a_worker_resumes_consuming_when_redis_is_back(fault_postgres, fault_redis, seeded, fault_directory):
    env = server_env(DATABASE_URL=fault_postgres.url(DATABASE), REDIS_URL=fault_redis.url())
    worker = Process(
        [sys.executable, "-m", "celery", "-A", "openleg", "worker", "--pool", "solo", "--loglevel", "INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env, fault_directory / "worker.log",
    )
    try:
        keep_an_expired_answer(fault_postgres, "vor-dem-ausfall")
        queue(fault_redis.url())
        wait_until(lambda: kept(fault_postgres, "vor-dem-ausfall") == 0, seconds=60, what="the first task done")

        fault_redis.stop()
        wait_until(lambda: "Connection to broker lost" in worker.output(), seconds=15, what="the worker noticing")
        time.sleep(1)  # its first reconnection attempts fail
        fault_redis.start()  # empty, on the same port

        keep_an_expired_answer(fault_postgres, "nach-dem-ausfall")
        queue(fault_redis.url())
        wait_until(lambda: kept(fault_postgres, "nach-dem-ausfall") == 0, seconds=30, what="the task after the outage")
        assert worker.process.poll() is None  # the same worker, never restarted
    finally:
        worker.stop()
