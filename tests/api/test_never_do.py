"""What the agent can never do: no tool approves, cancels or issues runs, issues invoices, sends, signs, or changes
tariffs or memberships, and a bearer token (even one holding every scope) opens none of the admin's or the portal's
pages that do: each answers a redirect to the login or 403, and nothing in the database changes."""

import hashlib
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import URLResolver, get_resolver
from rest_framework.test import APIClient

from api.agent.registry import TOOLS
from tests.api.conftest import ALL_SCOPES
from tests.communities.factories import MembershipFactory, TariffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

FORBIDDEN = re.compile(r"approve|cancel|issue|send|sign|tariff|membership|payout|reminder|dispatch|confirm", re.I)
PUBLIC = {"admin:login", "admin-login", "admin:logout"}  # logging in and out (admin-login: its 429 door)
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def routes():
    """(route, name) of every page under the admin and the portal."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            else:
                yield prefix + str(pattern.pattern), namespace + (pattern.name or "")

    return [
        (route, name)
        for route, name in walk(get_resolver().url_patterns, "", "")
        if route.startswith(("admin/", "utility/")) and name not in PUBLIC
    ]


def concrete(route: str) -> str | None:
    """A path for a route, every parameter 1 (ids of the objects this test makes); None for a regex route."""
    if route.startswith("^") or "(?P" in route:
        return None
    return "/" + PARAMETER.sub(
        lambda match: "00000000-0000-4000-8000-000000000001" if match.group(1) == "uuid" else "1", route
    )


def database_digest() -> str:
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda model: model._meta.label):
        if model._meta.label in {"sessions.Session"}:
            continue
        rows = model._default_manager.order_by("pk").values_list()
        digest.update(f"{model._meta.label}:{list(rows)!r}".encode())
    return digest.hexdigest()


@pytest.fixture
def everything_to_protect(db):
    membership = MembershipFactory()
    TariffFactory(community=membership.participant.community)


@pytest.fixture
def lea(make_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(scopes=ALL_SCOPES).secret}")
    return client


def refused(response) -> bool:
    if response.status_code == 403:
        return True
    return response.status_code == 302 and re.match(r"^/(admin|accounts)/login/\?next=", response["Location"])


def test_no_tool_is_named_for_what_the_agent_may_never_do():
    assert [name for name in TOOLS if FORBIDDEN.search(name)] == []


def test_the_forbidden_pages_are_found(everything_to_protect):
    names = {name for route, name in routes() if FORBIDDEN.search(route + name)}
    for expected in (
        "admin:billing_billingrun_approve", "admin:billing_billingrun_cancel", "portal:billing-approve",
        "portal:billing-cancel", "portal:tariff-new", "portal:membership-end", "portal:document-send",
        "admin:communities_tariff_add", "admin:communities_membership_change", "admin:documents_dispatch_send",
        "admin:documents_document_paper_signature",
    ):
        assert expected in names


def test_a_token_with_every_scope_is_refused_on_every_forbidden_page(lea, everything_to_protect):
    before = database_digest()
    opened = []
    checked = 0
    for route, name in routes():
        if not FORBIDDEN.search(route + name) or (path := concrete(route)) is None:
            continue
        for response in (
            lea.get(path),
            lea.post(path, {"post": "yes", "confirm": "1", "action": "approve", "_selected_action": ["1"]}),
        ):
            checked += 1
            if not refused(response):
                opened.append((name, path, response.status_code))
    assert opened == []
    assert checked >= 60
    assert database_digest() == before


def test_every_admin_action_is_refused_to_the_token(lea, everything_to_protect):
    before = database_digest()
    opened = []
    for model, model_admin in admin.site._registry.items():
        changelist = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for action in [*(model_admin.actions or []), "delete_selected"]:
            name = action if isinstance(action, str) else action.__name__
            response = lea.post(changelist, {"action": name, "_selected_action": ["1"], "post": "yes"})
            if not refused(response):
                opened.append((changelist, name, response.status_code))
    assert opened == []
    assert database_digest() == before


def test_every_admin_and_portal_page_refuses_the_token(lea, everything_to_protect):
    before = database_digest()
    opened = []
    for route, name in routes():
        path = concrete(route)
        if path is None:
            continue
        for response in (lea.get(path), lea.post(path, {})):
            if not refused(response):
                opened.append((name, path, response.status_code))
    assert opened == []
    assert database_digest() == before


def test_the_check_tells_an_open_page_from_a_refused_one(staff, lea, everything_to_protect):
    assert staff.get("/admin/communities/tariff/").status_code == 200  # a staff session: open
    assert not refused(staff.get("/admin/communities/tariff/"))
    assert refused(lea.get("/admin/communities/tariff/"))
