"""A Content-Security-Policy on every response, and no page that needs an inline script without the nonce."""

import re

import pytest
from django.urls import reverse

from communities.models import Door
from documents.models import DocumentKind
from documents.services import documents_generate
from tests.accounts.factories import UtilityUserFactory

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def _policy(response) -> dict[str, str]:
    """The header's directives (django-csp does not keep their order)."""
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


def _inline_scripts_without_nonce(html: str) -> list[str]:
    tags = re.findall(r"<script\b[^>]*>", html)
    return [tag for tag in tags if "src=" not in tag and 'type="application/json"' not in tag and "nonce=" not in tag]


def test_an_admin_page_carries_the_policy(staff, sonnenberg):
    response = staff.get(reverse("admin:communities_community_change", args=[sonnenberg.pk]))

    assert response.status_code == 200
    assert _policy(response) == POLICY
    assert _inline_scripts_without_nonce(response.content.decode()) == []


def test_the_periodic_task_form_runs_its_script_from_a_file(staff):
    response = staff.get(reverse("admin:django_celery_beat_periodictask_add"))
    html = response.content.decode()

    assert response.status_code == 200
    assert _inline_scripts_without_nonce(html) == []
    assert '<script src="/static/openleg/js/periodic_task_form.js"></script>' in html


def test_a_portal_page_carries_the_policy(client, sonnenberg):
    client.force_login(UtilityUserFactory(utility=sonnenberg.utility))

    response = client.get(reverse("portal:community", args=[sonnenberg.pk]))

    assert response.status_code == 200
    assert _policy(response) == POLICY
    assert _inline_scripts_without_nonce(response.content.decode()) == []


def test_a_pdf_download_carries_the_policy(client, sonnenberg):
    (document,) = documents_generate(
        community=sonnenberg, kinds=[DocumentKind.REGISTRATION], actor=None, door=Door.COMMAND
    )
    client.force_login(UtilityUserFactory(utility=sonnenberg.utility))

    for url in (document.file.url, reverse("portal_documents:download", args=[document.pk])):
        response = client.get(url)
        assert (response.status_code, response["Content-Type"]) == (200, "application/pdf"), url
        assert _policy(response) == POLICY, url


def test_the_login_page_carries_the_policy(client):
    assert _policy(client.get("/accounts/login/")) == POLICY
