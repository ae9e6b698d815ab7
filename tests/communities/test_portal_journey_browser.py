"""The LEG desk's work in a real browser: Debian's Chromium through Playwright against a live server with the demo.

A month: log in, upload the month's meter file, look at its preview and apply it, see the coverage calendar, compute
the draft, approve it through the confirmation page, download an invoice PDF and the ZIP of the run. A formation:
upload a participant list with a bad row and see its error, upload the corrected list, and take the community from
draft to active (documents generated, signatures recorded on paper, every move of the workflow). No staff.

Each phase runs in the browser (``tests.browser.BrowserSession``); between phases the test checks the database.
Screenshots of the main pages are written to test-artifacts/ (``OPENLEG_SCREENSHOTS``).
"""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from billing.models import BillingRun, Invoice
from communities.models import AuditEntry, Community, FormationStep
from documents.models import Document
from metering.demo import demo_files
from metering.models import MeterImport
from openleg.periods import local_today
from tests.browser import BrowserSession, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTS = Path(__file__).resolve().parent.parent / "fixtures" / "participant_lists"


@pytest.fixture
def demo(live_server):
    call_command("load_demo", stdout=io.StringIO())
    return live_server.url


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


def messages(page) -> list[str]:
    return [text.strip() for text in page.locator("ul.messages li").all_inner_texts()]


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
    assert "LEG Sonnenberg Dorf" in navigation


def test_the_desk_loads_a_month_bills_it_and_downloads_the_invoices(demo, tmp_path):
    community = Community.objects.get(slug="sonnenberg-dorf")
    filename, data = demo_files(community, 2026, 11)
    meter_file = tmp_path / filename
    meter_file.write_bytes(data)
    browser = BrowserSession(demo)

    def upload_and_apply(page):
        log_in(page, "vnb", "openleg-vnb")
        page.get_by_role("link", name="Messdaten hochladen").click()
        page.get_by_label("Messdatendateien").set_input_files(str(meter_file))
        page.get_by_role("button", name="Hochladen und prüfen").click()
        page.get_by_role("link", name=filename).first.click()
        screenshot(page, "02-meter-preview")
        preview = page.locator("main").inner_text()
        page.get_by_role("button", name="Übernehmen").click()
        screenshot(page, "03-meter-applied")
        return preview, messages(page)

    preview, applied = browser.run(upload_and_apply)

    meter_import = MeterImport.objects.get(filename=filename)
    assert meter_import.status == MeterImport.Status.APPLIED
    assert meter_import.door == "portal"
    assert "sdat" in preview.lower() and "kWh" in preview
    assert applied and not any("Fehler" in message for message in applied)

    def coverage_and_draft(page):
        page.goto("/utility/")
        page.get_by_role("navigation", name="Gemeinschaften").get_by_role("link", name="LEG Sonnenberg Dorf").click()
        page.get_by_role("link", name="Messdaten", exact=True).click()
        page.goto(page.url.rsplit("/meter-data/", 1)[0] + "/meter-data/2026-11/")
        screenshot(page, "04-coverage-calendar")
        complete = page.locator("td.cov-complete").count()
        page.get_by_role("link", name="Abrechnung", exact=True).click()
        page.get_by_label("Monat").fill("2026-11")
        page.get_by_role("button", name="Entwurf berechnen").click()
        screenshot(page, "05-run-draft")
        return complete, page.url, page.locator("h1").inner_text()

    complete, run_url, heading = browser.run(coverage_and_draft)

    run = BillingRun.objects.get(community=community, year=2026, month=11)
    assert complete == 12 * 30  # every member point, every day of November, complete
    assert run_url.endswith(f"/utility/communities/{community.pk}/billing/{run.pk}/")
    assert heading.startswith("Abrechnung November 2026") and run.status == "draft"

    def approve_and_download(page):
        page.goto(run_url)
        page.get_by_role("link", name="Freigeben und verrechnen").click()
        screenshot(page, "06-approve-confirmation")
        confirmation = page.locator("main").inner_text()
        if page.get_by_label("Begründung").count():
            page.get_by_label("Begründung").fill("November geprüft: keine VNB-Aufteilung geliefert.")
        page.get_by_role("button", name="Freigeben und verrechnen").click()
        page.wait_for_selector("a:has-text('.pdf')")
        screenshot(page, "07-run-issued")
        with page.expect_download() as pdf:
            page.locator("table.invoices a:has-text('.pdf')").first.click()
        with page.expect_download() as archive:
            page.get_by_role("link", name="Alle Rechnungen und Gutschriften (ZIP)").click()
        return confirmation, pdf.value.path().read_bytes(), archive.value.path().read_bytes(), messages(page)

    confirmation, pdf, archive, approved = browser.run(approve_and_download)

    run.refresh_from_db()
    invoices = list(Invoice.objects.filter(run=run).order_by("number"))
    assert run.status == "issued" and run.approved_by.username == "vnb"
    assert len(invoices) == 12
    assert f"Die Freigabe stellt {len(invoices)} Rechnungen über insgesamt CHF" in confirmation
    assert pdf.startswith(b"%PDF-")
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert len(names) == 12 and all(name.endswith(".pdf") for name in names)
