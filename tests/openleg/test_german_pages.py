"""A walk through the admin and the portal: one language on every page, German in Swiss spelling.

Django's and the third-party apps' strings are what this walk is about (our own labels are German msgids):
no "ß" and none of Django's English phrases on the login pages, the admin index, every changelist, the change
page of each kind of record (read-only ones included) and the portal."""

import html
import re
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from tests.accounts.factories import UtilityUserFactory
from tests.billing.conftest import march_community  # noqa: F401  (a fixture)

ENGLISH = re.compile(
    r"\b(Choose|Remove all|Save and|Add another|Close|Log out|View site|Change password|Select all|Delete|"
    r"History|Search|Welcome|Home|Log in|Username|Password|Filter by|Show counts|Recent actions|Add|Change|View|"
    r"Go|Yes|No|Unknown|None|Clear selection|Documentation)\b"
)


def visible_text(response) -> str:
    """What a reader sees: the page without scripts, styles and tags (attribute values such as titles count)."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    attributes = " ".join(re.findall(r'\b(?:title|placeholder|aria-label|value)="([^"]*)"', body))
    return html.unescape(re.sub(r"<[^>]+>", " ", body) + " " + attributes)


def assert_german(response, where: str) -> None:
    assert response.status_code == 200, where
    text = visible_text(response)
    assert "ß" not in text, where
    assert ENGLISH.findall(text) == [], where


@pytest.fixture
def walked(march_community, staff_user):  # noqa: F811
    """March billed: runs, invoices, meter imports and the audit trail to list."""
    call_command("run_billing", march_community.slug, "--period", "2026-03", stdout=StringIO())
    return march_community


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_the_login_pages_are_german(client, url):
    assert_german(client.get(url), url)


def test_the_admin_index_and_every_changelist_are_german(staff, walked):
    assert_german(staff.get(reverse("admin:index")), "admin index")
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert_german(staff.get(url), url)


def test_the_change_page_of_each_kind_of_record_is_german(staff, walked):
    seen = 0
    for model in admin.site._registry:
        first = model._default_manager.order_by("pk").first()
        if first is None:
            continue
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
        assert_german(staff.get(url), url)
        seen += 1
    assert seen >= 15


def test_a_read_only_page_says_schliessen(staff, walked):
    from metering.models import MeterImport

    page = staff.get(reverse("admin:metering_meterimport_change", args=[MeterImport.objects.first().pk]))
    assert ">Schliessen</a>" in page.content.decode()


def test_the_portal_is_german(client, walked):
    client.force_login(UtilityUserFactory(utility=walked.utility))
    assert_german(client.get(reverse("portal:home")), "portal home")
    assert_german(client.get(reverse("portal:community", args=[walked.pk])), "portal community")
