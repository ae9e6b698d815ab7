"""What bench_load's users work with: the demo, a larger community of the demo utility with an approved month
and its invoice PDFs rendered, logins, B2B keys, agent tokens and the meter files the uploaders send.

Import after ``django.setup()``. Everything made here is reused on a later run (looked up by name); keys and
tokens are new for every run (their secrets are shown only once) and revoked at its end by ``revoke``.
"""

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from benchmarks.bench_community import BenchShape, bench_community

PASSWORD = "load-bench-password"  # the bench users' password; the database is the bench's own
SHAPE = BenchShape(name="Load LEG 200", vnb_number="100990", consumers=140, prosumers=40, producers=20)
UPLOAD_POINTS = 20  # metering points per uploaded file
B2B_LOAD_HOURLY_LIMIT = 1_000_000  # the load phases' key: the limit is tested in its own phase
B2B_THROTTLE_HOURLY_LIMIT = 50  # the throttle phase's key: set low, as the brief asks


@dataclass
class LoadData:
    community_id: int
    run_id: int
    invoice_ids: list[int]
    run_summary: dict  # the agent tool's arguments
    portal_users: list[str]
    uploaders: list[str]
    staff: list[str]
    upload_points: list[str]
    limit_login: str  # the account the limits phase locks (a viewer of the demo utility)
    b2b_secret: str = ""
    b2b_throttle_secret: str = ""
    agent_secrets: list[str] = field(default_factory=list)
    agent_throttle_secret: str = ""
    _prefixes: list[tuple[str, str]] = field(default_factory=list)  # (kind, prefix) to revoke


def prepare(*, portal_users: int, uploaders: int, staff: int, agent_clients: int) -> LoadData:
    from accounts.models import User
    from communities.demo import DEMO_VNB_NUMBER
    from pipeline.models import Utility

    utility = Utility.objects.get(vnb_number=DEMO_VNB_NUMBER)
    community = bench_community(SHAPE, utility=utility)
    run = _approved_run(community, staff_user=_user("load-staff-01", staff=True))
    invoice_ids = _rendered_invoices(run)
    names = {
        "portal": [_user(f"load-portal-{n:02d}", utility=utility, role="approver") for n in range(1, portal_users + 1)],
        "upload": [_user(f"load-upload-{n:02d}", utility=utility, role="desk") for n in range(1, uploaders + 1)],
        "staff": [_user(f"load-staff-{n:02d}", staff=True) for n in range(1, staff + 1)],
    }
    points = list(
        community.participants.order_by("pk").values_list("memberships__metering_point__mp_id", flat=True)
    )[:UPLOAD_POINTS]
    data = LoadData(
        community_id=community.pk, run_id=run.pk, invoice_ids=invoice_ids,
        run_summary={"community": community.pk, "month": f"{run.year}-{run.month:02d}"},
        portal_users=names["portal"], uploaders=names["upload"], staff=names["staff"], upload_points=points,
        limit_login=_user("load-limit-login", utility=utility, role="viewer"),
    )
    assert User.objects.filter(username__in=data.portal_users, utility=utility).count() == portal_users
    _keys_and_tokens(data, utility=utility, agent_clients=agent_clients)
    return data


def _user(username: str, *, utility=None, role: str = "", staff: bool = False) -> str:
    from accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        if staff:
            User.objects.create_superuser(username, f"{username}@openleg.example", PASSWORD)
        else:
            User.objects.create_user(
                username, f"{username}@openleg.example", PASSWORD, utility=utility, portal_role=role
            )
    return username


def _approved_run(community, *, staff_user: str):
    from accounts.models import User
    from billing.models import BillingRun, RunStatus
    from billing.services import billing_run_approve, billing_run_start

    run = BillingRun.objects.filter(community=community, year=SHAPE.year, month=SHAPE.month).order_by("-pk").first()
    if run is None:
        run = billing_run_start(community=community, year=SHAPE.year, month=SHAPE.month)
    if run.status == RunStatus.DRAFT:
        run = billing_run_approve(
            run=run, actor=User.objects.get(username=staff_user), reason="Lastprüfung", override_missing=True
        )
    return run


def _rendered_invoices(run) -> list[int]:
    from billing.models import Invoice
    from documents.invoice_pdfs import invoice_pdfs_render_missing

    invoices = Invoice.objects.filter(run=run)
    missing = invoice_pdfs_render_missing(invoices=invoices)
    if missing:
        raise SystemExit(f"{len(missing)} invoice PDFs could not be rendered: see the run's recorded error")
    return list(invoices.order_by("number").values_list("pk", flat=True))


def _keys_and_tokens(data: LoadData, *, utility, agent_clients: int) -> None:
    from api.b2b.keys import api_client_create, api_key_create
    from api.models import ApiClient
    from api.scopes import Scope
    from api.tokens import agent_token_create

    def client(company: str, hourly: int) -> ApiClient:
        found = ApiClient.objects.filter(company=company).first()
        if found is None:
            return api_client_create(company=company, tier="professional", hourly_limit=hourly, daily_limit=10**9)
        return found

    run = secrets.token_hex(3)
    load_key = api_key_create(client=client("Lastprüfung", B2B_LOAD_HOURLY_LIMIT), name=f"load {run}")
    throttle_key = api_key_create(client=client("Lastprüfung Limit", B2B_THROTTLE_HOURLY_LIMIT), name=f"limit {run}")
    data.b2b_secret, data.b2b_throttle_secret = load_key.secret, throttle_key.secret
    data._prefixes += [("key", load_key.key.prefix), ("key", throttle_key.key.prefix)]
    for n in range(agent_clients + 1):  # one token per agent client (each agent has its own), one for the limit
        new = agent_token_create(name=f"load {run} {n}", scopes=list(Scope.values), daily_budget=10**9)
        data._prefixes.append(("token", new.token.prefix))
        if n < agent_clients:
            data.agent_secrets.append(new.secret)
        else:
            data.agent_throttle_secret = new.secret


def revoke(data: LoadData) -> None:
    from api.b2b.keys import api_key_revoke
    from api.tokens import agent_token_revoke

    for kind, prefix in data._prefixes:
        (api_key_revoke if kind == "key" else agent_token_revoke)(prefix=prefix)


def meter_file(points: list[str], *, day: int) -> tuple[str, bytes]:
    """An SDAT-CH E66 file of one April 2026 day (UTC) for ``points``, unique in its document id and values, as a
    utility delivers a day's readings of part of its meters."""
    import random

    from metering.sdat_writer import SdatSeries, write_e66

    start = datetime(2026, 3, 31, 22, tzinfo=UTC) + timedelta(days=day % 30)
    series = [
        SdatSeries(mp_id, "consumption", "total", start, [random.randint(50, 400) for _ in range(96)])
        for mp_id in points
    ]
    document = f"LOAD-{uuid.uuid4().hex[:12]}"
    return f"{document.lower()}.xml", write_e66(series, document_id=document, created=datetime.now(UTC))
