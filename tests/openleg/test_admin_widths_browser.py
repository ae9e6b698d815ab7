"""Every admin page of the demo fits a 1366 px screen, measured by Debian's Chromium through Playwright.

The demo is loaded, then every changelist, one object's change page per model and the custom consoles are
opened at 1366 × 900 against ``live_server``; ``document.documentElement.scrollWidth`` must not pass 1366.

Playwright's sync API runs an asyncio loop in the test's thread while the browser is open, and Django refuses
database queries from a thread with a running loop (``SynchronousOnlyOperation``). So every query happens
before the browser starts (the pages and the login are prepared first) and none inside it; the live server
answers from its own thread. No ``DJANGO_ALLOW_ASYNC_UNSAFE`` is needed.
"""

import io

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from billing.models import BillingRun
from communities.models import Community
from documents.models import Document
from tests.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN = 1366


def admin_pages() -> list[str]:
    """The index, each model's changelist and first object, and the custom pages, on the loaded demo."""
    pages = [reverse("admin:index")]
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        first = model_admin.get_queryset(_request()).order_by("pk").first()
        if first is not None:
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    run = BillingRun.objects.order_by("pk").first()
    community = Community.objects.get(slug="sonnenberg-dorf")
    participant = run.community.participants.order_by("pk").first()
    pages += [
        reverse("pipeline_dashboard"),
        reverse("admin:billing_billingrun_start"),
        reverse("admin:billing_billingrun_start_confirm")
        + f"?period={run.year}-{run.month:02d}&community={run.community_id}",
        reverse("admin:billing_billingrun_approve", args=[run.pk]),
        reverse("admin:billing_billingrun_deviations", args=[run.pk, participant.pk]),
        reverse("admin:communities_community_formation", args=[community.pk]),
        reverse("admin:metering_meteringpointdata_changelist") + f"?community={community.pk}",
        reverse("admin:metering_meterimport_upload"),
        reverse("admin:documents_document_paper_signature", args=[Document.objects.order_by("pk").first().pk]),
        reverse("admin:payments_bankfile_upload"),
        reverse("admin:payments_open_items"),
        reverse("admin:payments_payoutbatch_due"),
        reverse("admin:payments_payoutbatch_create", args=[community.pk]),
        reverse("admin:payments_reminderrun_propose"),
    ]
    return pages


def _request():
    request = Client().request().wsgi_request
    request.user = User.objects.get(username="admin")
    return request


def _session_cookie() -> str:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_no_admin_page_of_the_demo_is_wider_than_a_1366_px_screen(live_server):
    call_command("load_demo", stdout=io.StringIO())
    pages = admin_pages()
    cookie = _session_cookie()

    from playwright.sync_api import sync_playwright

    statuses, widths, hidden = {}, {}, {}
    with sync_playwright() as playwright:  # no database query from here on (see the module's docstring)
        browser = playwright.chromium.launch(executable_path=chromium())
        context = browser.new_context(viewport={"width": SCREEN, "height": 900}, locale="de-CH")
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        for path in pages:
            statuses[path] = page.goto(live_server.url + path).status
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
            # a list's columns all visible beside its filters, not scrolled out of its own box
            hidden[path] = page.evaluate(
                "(() => { const box = document.querySelector('#changelist .results');"
                " return box ? box.scrollWidth - box.clientWidth : 0 })()"
            )
        browser.close()

    assert len(pages) >= 60
    assert {path: status for path, status in statuses.items() if status != 200} == {}
    assert {path: width for path, width in widths.items() if width > SCREEN} == {}
    assert {path: pixels for path, pixels in hidden.items() if pixels > 0} == {}
