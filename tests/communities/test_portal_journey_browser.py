"""The LEG desk's month in a real browser: Debian's Chromium through Playwright against a live server with the demo.

Each phase runs in the browser (``tests.browser.BrowserSession``); between phases the test checks the database.
Screenshots of the main pages are written to test-artifacts/ (``OPENLEG_SCREENSHOTS``).
"""

import io

import pytest
from django.core.management import call_command

from tests.browser import BrowserSession, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    call_command("load_demo", stdout=io.StringIO())
    return live_server.url


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


def test_a_wrong_password_is_refused_in_german_and_the_desk_lands_on_its_dashboard(demo):
    def script(page):
        log_in(page, "vnb", "falsch")
        refused = page.locator(".errornote, .errorlist, .error").first.inner_text()
        log_in(page, "vnb", "openleg-vnb")
        page.wait_for_url("**/utility/")
        screenshot(page, "01-dashboard")
        return refused, page.locator("h1").inner_text(), page.locator(".portal-nav").inner_text()

    refused, heading, navigation = BrowserSession(demo).run(script)

    assert "Benutzername oder Passwort ist falsch." in refused
    assert heading.startswith("LEG-Übersicht")
    assert "Sonnenberg" in navigation
