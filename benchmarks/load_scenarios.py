"""bench_load's users: what each kind of user does in a loop until the phase's end, pausing ``think`` seconds on
average (uniformly from half to one and a half times it) after each page or call.

- portal: a utility's LEG desk logs in, then walks dashboard, community, participants, billing runs, a run, the
  coverage calendar, and downloads an invoice PDF (rendered beforehand).
- staff: OpenLEG staff log in to the admin, then open the billing console (the runs' list and a run's page) and
  the pipeline dashboard.
- b2b: a client's program reads /api/v1/ (status, formation pipeline, benchmarks, solar index) with its key.
- agent: the agent's REST door, three reads; each client has its own token.
- upload: a desk uploads a day's SDAT file through the portal form, looks at the preview and applies it; the
  Celery worker applies it (``METER_IMPORT_ASYNC_BYTES=0``); the time until the import is applied is timed apart.
MCP clients run through ``benchmarks.agent_load.mcp_load`` (the SDK's own client), see bench_load.
"""

import random
import threading
import time
from dataclasses import dataclass, field

from benchmarks.load_client import Client

LOGIN_LABELS = ("login page", "login", "admin login page", "admin login")
START_TIMEOUT_SECONDS = 300  # the users' logins before the start; a user that dies breaks the start line


@dataclass
class Plan:
    """A phase: its users log in first (timed as logins), then all start together for ``seconds``."""

    port: int
    seconds: float
    think: float
    data: object  # benchmarks.load_data.LoadData
    password: str
    users: int = 1  # threads that wait at the start line
    applied: list = field(default_factory=list)  # (import id, when uploaded) per upload
    deadline: float = 0.0

    def __post_init__(self) -> None:
        self.start_line = threading.Barrier(self.users + 1, action=self._go)

    def _go(self) -> None:
        self.deadline = time.perf_counter() + self.seconds

    def ready(self) -> float:
        """Wait until every user has logged in; the phase's end."""
        self.start_line.wait(timeout=START_TIMEOUT_SECONDS)
        return self.deadline

    def pause(self) -> None:
        if self.think:
            time.sleep(random.uniform(0.5 * self.think, 1.5 * self.think))


def address(user_index: int) -> str:
    """The user's own address as the proxy would forward it (documentation range; only a header)."""
    return f"198.51.100.{user_index % 250 + 1}"


def visit(client: Client, plan: Plan, pages, deadline: float) -> bool:
    """Requests each page in turn with the user's pause after it; False once the deadline has passed."""
    for label, path in pages:
        client.get(label, path)
        plan.pause()
        if time.perf_counter() >= deadline:
            return False
    return True


def portal_user(client: Client, plan: Plan, username: str) -> None:
    data = plan.data
    logged_in = client.log_in("/accounts/login/", username, plan.password)
    deadline = plan.ready()
    if not logged_in:
        return
    base = f"/utility/communities/{data.community_id}"
    pages = [
        ("dashboard", "/utility/"),
        ("community", f"{base}/"),
        ("participants", f"{base}/participants/"),
        ("billing runs", f"{base}/billing/"),
        ("run page", f"{base}/billing/{data.run_id}/"),
        ("coverage calendar", f"{base}/meter-data/2026-03/"),
    ]
    while time.perf_counter() < deadline:
        if not visit(client, plan, pages, deadline):
            return
        invoice = random.choice(data.invoice_ids)
        answer = client.get("invoice PDF", f"{base}/billing/{data.run_id}/invoices/{invoice}.pdf")
        if answer.status == 200 and not answer.body.startswith(b"%PDF"):
            client.samples[-1] = type(client.samples[-1])(client.scenario, "invoice PDF", client.samples[-1].seconds,
                                                         "unexpected", 200)
        plan.pause()


def staff_user(client: Client, plan: Plan, username: str) -> None:
    logged_in = client.log_in("/admin/login/?next=/admin/", username, plan.password, label="admin login")
    deadline = plan.ready()
    if not logged_in:
        return
    pages = [
        ("billing console", "/admin/billing/billingrun/"),
        ("run in console", f"/admin/billing/billingrun/{plan.data.run_id}/change/"),
        ("pipeline dashboard", "/admin/pipeline/"),
    ]
    while time.perf_counter() < deadline:
        if not visit(client, plan, pages, deadline):
            return


B2B_READS = (
    ("status", "/api/v1/status"),
    ("formation-pipeline", "/api/v1/formation-pipeline"),
    ("community-benchmarks", "/api/v1/community-benchmarks?year=2026&month=3"),
    ("solar-index", "/api/v1/solar-index?canton=AG"),
)


def api_user(client: Client, plan: Plan, reads: list[tuple[str, str]]) -> None:
    deadline = plan.ready()
    while time.perf_counter() < deadline:
        if not visit(client, plan, reads, deadline):
            return


def agent_reads(data) -> list[tuple[str, str]]:
    summary = f"community={data.run_summary['community']}&month={data.run_summary['month']}"
    return [
        ("get_billing_summary", f"/api/agent/v1/get_billing_summary/?{summary}"),
        ("get_vnb_pipeline", "/api/agent/v1/get_vnb_pipeline/"),
        ("get_pipeline_dashboard", "/api/agent/v1/get_pipeline_dashboard/"),
    ]


def uploader(client: Client, plan: Plan, username: str) -> None:
    from benchmarks.load_data import meter_file

    logged_in = client.log_in("/accounts/login/", username, plan.password)
    deadline = plan.ready()
    if not logged_in:
        return
    day = random.randrange(30)
    while time.perf_counter() < deadline:
        client.get("meter data page", "/utility/meter-data/")
        filename, content = meter_file(plan.data.upload_points, day=day)
        day += 1
        answer = client.post_files(
            "upload", "/utility/meter-data/", {"metering_point": ""}, {"files": (filename, content)}, expected=(302,)
        )
        location = answer.headers.get("Location", "") if answer.headers is not None else ""
        if answer.status != 302 or "/meter-data/" not in location or location.rstrip("/").endswith("meter-data"):
            plan.pause()
            continue
        uploaded = time.perf_counter()
        client.get("import preview", location)
        client.post_form("apply", location, {}, expected=(302,))
        plan.applied.append((int(location.rstrip("/").rsplit("/", 1)[-1]), uploaded))
        plan.pause()
