"""bench_load's HTTP client: one kept-alive connection per virtual user, its cookies, and every answer sorted.

The client stands where the proxy of docker-compose.yml (Caddy) stands: it talks plain HTTP to uvicorn and sends
what Caddy adds, ``X-Forwarded-Proto: https`` and ``X-Forwarded-For`` (the user's own address, one per user, from
the documentation range 198.51.100.0/24; a header only, no traffic goes there). The server runs with
``OPENLEG_BEHIND_PROXY=True`` as deployed, so HTTPS redirects, secure cookies and CSRF's origin check behave as in
production. Cookies are kept by hand: a secure cookie travels on this plain connection as it does behind the proxy.

No Django here; every call is a ``Sample``: the scenario, a label (the page or endpoint), the seconds, and the
outcome: ``ok`` (the status that was expected), ``throttled`` (429), ``server`` (5xx), ``unexpected`` (any other
status) or ``connection`` (no answer).
"""

import http.client
import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

TIMEOUT_SECONDS = 30
# uvicorn closes a kept-alive connection after 5 idle seconds (--timeout-keep-alive); a browser or the proxy learns
# of it and opens a new one. This client does not read in the background, so it opens a new one itself after
# this long idle, instead of sending into a connection the server has just closed; and where it sent a GET into one
# all the same (the server's idle time began before this client read the answer), it sends it again on a new
# connection once, as Caddy (Go's transport) and browsers do for a request that cannot have been acted on. A POST
# is not sent again: it counts as a connection error.
IDLE_SECONDS = 3.0
OUTCOMES = ("ok", "throttled", "server", "unexpected", "connection")
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True)
class Sample:
    scenario: str
    label: str
    seconds: float
    outcome: str
    status: int = 0


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage | None
    body: bytes


def outcome_of(status: int, expected: tuple[int, ...]) -> str:
    if status in expected:
        return "ok"
    if status == 429:
        return "throttled"
    if status >= 500:
        return "server"
    return "unexpected" if status else "connection"


class Client:
    """One virtual user: its connection, cookies and the samples of its calls."""

    def __init__(self, port: int, *, scenario: str, address: str, headers: dict | None = None) -> None:
        self.port, self.scenario = port, scenario
        self.origin = f"https://127.0.0.1:{port}"
        self.headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": address, **(headers or {})}
        self.cookies: dict[str, str] = {}
        self.samples: list[Sample] = []
        self.first_failure = ""
        self._connection = self._connect()
        self._last_answer = time.perf_counter()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT_SECONDS)

    def call(
        self, label: str, method: str, path: str, *, body: bytes | None = None, content_type: str = "",
        expected: tuple[int, ...] = (200,), headers: dict | None = None,
    ) -> Answer:
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if method == "POST":
            sent["Origin"] = self.origin
            if content_type:
                sent["Content-Type"] = content_type
        began = time.perf_counter()
        if began - self._last_answer > IDLE_SECONDS:
            self._connection.close()  # connects again on the request, as after the server's keep-alive timeout
        reused = self._connection.sock is not None
        answer = self._send(method, path, body, sent)
        if answer.status == 0 and reused and method == "GET" and b"Timeout" not in answer.body:
            answer = self._send(method, path, body, sent)  # the closed kept-alive connection: once more
        self._last_answer = time.perf_counter()
        seconds = self._last_answer - began
        outcome = outcome_of(answer.status, expected)
        self.samples.append(Sample(self.scenario, label, seconds, outcome, answer.status))
        if outcome not in ("ok", "throttled") and not self.first_failure:
            text = " ".join(answer.body[:300].decode(errors="replace").split())
            self.first_failure = f"{label} {method} {path}: {answer.status or 'no answer'} {text}"
        if answer.headers is not None:
            self._keep_cookies(answer.headers.get_all("Set-Cookie") or [])
        return answer

    def _send(self, method: str, path: str, body: bytes | None, headers: dict) -> Answer:
        try:
            self._connection.request(method, path, body=body, headers=headers)
            response = self._connection.getresponse()
            return Answer(response.status, response.msg, response.read())
        except (OSError, http.client.HTTPException) as error:
            self._connection.close()  # the next request connects again
            return Answer(0, None, repr(error).encode())

    def get(self, label: str, path: str, **options) -> Answer:
        return self.call(label, "GET", path, **options)

    def post_form(self, label: str, path: str, fields: dict, **options) -> Answer:
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        body = urlencode(fields).encode()
        return self.call(label, "POST", path, body=body, content_type="application/x-www-form-urlencoded", **options)

    def post_files(self, label: str, path: str, fields: dict, files: dict[str, tuple[str, bytes]], **options):
        boundary = secrets.token_hex(16)
        parts = []
        for name, value in {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, data) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: application/xml\r\n\r\n".encode() + data + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.call(label, "POST", path, body=body, content_type=f"multipart/form-data; boundary={boundary}",
                         **options)

    def log_in(self, path: str, username: str, password: str, *, label: str = "login") -> bool:
        """The login page for its CSRF cookie, then the form; True when the answer is the redirect of a login."""
        self.get(f"{label} page", path)
        answer = self.post_form(label, path, {"username": username, "password": password}, expected=(302,))
        return answer.status == 302

    def close(self) -> None:
        self._connection.close()

    def _keep_cookies(self, lines: list[str]) -> None:
        for line in lines:
            pair, _, attributes = line.partition(";")
            name, _, value = pair.strip().partition("=")
            gone = "max-age=0" in attributes.lower().replace(" ", "")
            if gone:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
