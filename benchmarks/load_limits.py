"""bench_load's limits phase: one key, token or account driven past its limit by many clients at once, through
the running stack (3 uvicorn workers sharing Redis). Each check says how many calls got through, how many got 429
and whether each 429 carried Retry-After, against the configured figure: exact or not.

- B2B: a key of a client whose hourly limit is set low (``load_data.B2B_THROTTLE_HOURLY_LIMIT``).
- agent REST: a fresh token at the deployed rate (``AGENT_THROTTLE_RATE``, 120/min).
- login: wrong passwords for one account, past ``LOGIN_THROTTLE_ACCOUNT_FAILURES``; then the right one, which a
  locked account is refused too.
"""

import threading
import time
from collections import Counter
from dataclasses import dataclass

from benchmarks.load_client import Client

CLIENTS = 8
OVER = 30  # calls beyond the limit


@dataclass(frozen=True)
class LimitCheck:
    name: str
    limit: int
    sent: int
    statuses: Counter
    retry_after: int  # 429 answers that carried a Retry-After of at least one second
    passed_label: str = "200"

    @property
    def exact(self) -> bool:
        refused = self.statuses.get(429, 0)
        return (
            self.statuses.get(int(self.passed_label), 0) == self.limit
            and refused == self.sent - self.limit
            and self.retry_after == refused
        )

    def line(self) -> str:
        return (
            f"{self.name}: limit {self.limit}, {self.sent} calls from {CLIENTS} clients at once: "
            f"{self.statuses.get(int(self.passed_label), 0)} got through ({self.passed_label}), "
            f"{self.statuses.get(429, 0)} refused with 429, {self.retry_after} of them with Retry-After; "
            f"other answers {dict((s, n) for s, n in self.statuses.items() if s not in (int(self.passed_label), 429))}"
            f" -> {'exact' if self.exact else 'NOT EXACT'}"
        )


def _burst(port: int, calls: int, one_call, *, prepare=None) -> tuple[Counter, int]:
    """``calls`` calls spread over CLIENTS threads that start together; (statuses, 429s with Retry-After)."""
    clients = [Client(port, scenario="limits", address=f"198.51.100.{240 + n}") for n in range(CLIENTS)]
    if prepare is not None:
        for client in clients:
            prepare(client)
    shares = [calls // CLIENTS + (1 if n < calls % CLIENTS else 0) for n in range(CLIENTS)]
    start = threading.Barrier(CLIENTS)
    answers: list = []

    def run(client: Client, share: int) -> None:
        start.wait()
        for _ in range(share):
            answers.append(one_call(client))

    threads = [threading.Thread(target=run, args=pair) for pair in zip(clients, shares, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    statuses = Counter(answer.status for answer in answers)
    with_retry = sum(
        1 for answer in answers
        if answer.status == 429 and answer.headers is not None and int(answer.headers.get("Retry-After", "0")) >= 1
    )
    return statuses, with_retry


def _clear_of_window_end(period_seconds: int, margin: float = 20.0) -> None:
    """The limits count in fixed windows of the clock (the hour, the rate's minute): a burst that straddled two
    would rightly let more through; so start a fresh window when the current one ends within ``margin``."""
    left = period_seconds - time.time() % period_seconds
    if left < margin:
        time.sleep(left + 0.5)


def b2b_check(port: int, secret: str, limit: int) -> LimitCheck:
    _clear_of_window_end(3600)
    headers = {"Authorization": f"Bearer {secret}"}
    statuses, retry = _burst(port, limit + OVER, lambda client: client.get("b2b", "/api/v1/status", headers=headers))
    return LimitCheck("B2B key (hourly limit of its client)", limit, limit + OVER, statuses, retry)


def agent_check(port: int, secret: str, limit: int, period_seconds: int) -> LimitCheck:
    _clear_of_window_end(period_seconds)
    headers = {"Authorization": f"Bearer {secret}"}
    statuses, retry = _burst(
        port, limit + OVER, lambda client: client.get("agent", "/api/agent/v1/get_vnb_pipeline/", headers=headers)
    )
    return LimitCheck("agent token (AGENT_THROTTLE_RATE per minute)", limit, limit + OVER, statuses, retry)


def login_check(port: int, username: str, limit: int) -> LimitCheck:
    """Wrong passwords: the first ``limit`` are checked (the form says so, 200), the rest refused (429)."""
    path = "/accounts/login/"
    statuses, retry = _burst(
        port, limit + OVER,
        lambda client: client.post_form("login", path, {"username": username, "password": "wrong"}, expected=(200,)),
        prepare=lambda client: client.get("login page", path),
    )
    return LimitCheck("login, one account (LOGIN_THROTTLE_ACCOUNT_FAILURES)", limit, limit + OVER, statuses, retry)


def limits_phase(port: int, data, *, password: str) -> str:
    from django.conf import settings

    from api.throttles import parse_rate
    from benchmarks.load_data import B2B_THROTTLE_HOURLY_LIMIT

    username = data.limit_login
    rate, period = parse_rate(settings.AGENT_THROTTLE_RATE)
    checks = [
        b2b_check(port, data.b2b_throttle_secret, B2B_THROTTLE_HOURLY_LIMIT),
        agent_check(port, data.agent_throttle_secret, rate, period),
        login_check(port, username, settings.LOGIN_THROTTLE_ACCOUNT_FAILURES),
    ]
    right = Client(port, scenario="limits", address="198.51.100.250")
    locked = not right.log_in("/accounts/login/", username, password)
    right.close()
    lines = ["\n== phase: limits (one key, token or account past its limit, 8 clients at once)"]
    lines += [check.line() for check in checks]
    lines.append(f"login with the right password after the lock: {'refused' if locked else 'LET IN'}")
    lines.append("limits: " + ("all exact" if all(c.exact for c in checks) and locked else "NOT all exact"))
    return "\n".join(lines)
