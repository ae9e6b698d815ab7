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


def tab(page, name: str):
    """A section of the open community (its tab bar)."""
    return page.get_by_role("navigation", name="Bereiche der Gemeinschaft").get_by_role("link", name=name, exact=True)


def messages(page) -> list[str]:
    page.wait_for_load_state()  # the page a post led to, fully loaded
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
        tab(page, "Messdaten").click()
        page.goto(page.url.rsplit("/meter-data/", 1)[0] + "/meter-data/2026-11/")
        screenshot(page, "04-coverage-calendar")
        complete = page.locator("td.cov-complete").count()
        tab(page, "Abrechnung").click()
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

    confirmation, pdf, archive, _approved = browser.run(approve_and_download)

    run.refresh_from_db()
    invoices = list(Invoice.objects.filter(run=run).order_by("number"))
    assert run.status == "issued" and run.approved_by.username == "vnb"
    assert len(invoices) == 12
    assert f"Die Freigabe stellt {len(invoices)} Rechnungen über insgesamt CHF" in confirmation
    assert pdf.startswith(b"%PDF-")
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert len(names) == 12 and all(name.endswith(".pdf") for name in names)


NEUHOF_LIST = (
    "Kundennummer;Nachname;Vorname;Strasse;Hausnummer;PLZ;Ort;E-Mail;Rolle;IBAN;Mitglied ab;Messpunkt;"
    "Anschlussleistung kW;installierte Leistung kWp;Trafokreis\r\n"
    "N-1;Sonne;Sara;Neuhofweg;1;5000;Sonnenberg;sara.sonne@example.ch;Produzent;CH93 0076 2011 6238 5295 7;"
    "01.11.2026;CH1009991234500000900000000000001;30;30;TS-901\r\n"
    "N-2;Berg;Beat;Neuhofweg;2;5000;Sonnenberg;beat.berg@example.ch;Verbraucher;;"
    "01.11.2026;CH1009991234500000900000000000002;25;0;TS-901\r\n"
    "N-3;Tal;Tina;Neuhofweg;3;5000;Sonnenberg;tina.tal@example.ch;Verbraucher;;"
    "01.11.2026;CH1009991234500000900000000000003;25;0;TS-901\r\n"
)


def field(page, label: str):
    """The form field labelled exactly ``label`` (a required one's label ends with its marker "*")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def fill_date(page, label: str, day: str) -> None:
    """A date field as the browser shows it (an <input type=date> takes ISO days)."""
    field(page, label).fill(day)


def upload_participant_list(page, path: Path) -> str:
    page.get_by_role("link", name="Teilnehmerliste hochladen").first.click()
    page.get_by_label("Teilnehmerliste (CSV oder Excel .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Hochladen und prüfen").click()
    return page.locator("main").inner_text()


def move(page, status: str) -> list[str]:
    tab(page, "Gründung").click()
    page.get_by_role("button", name=f"Nach «{status}»").click()
    return messages(page)


def test_the_desk_uploads_participant_lists_and_takes_a_new_community_from_draft_to_active(demo, tmp_path):
    neuhof_list = tmp_path / "neuhof.csv"
    neuhof_list.write_text(NEUHOF_LIST, encoding="utf-8")
    scan = tmp_path / "unterschrieben.pdf"
    scan.write_bytes(b"%PDF-1.7 auf Papier unterschrieben")
    browser = BrowserSession(demo)

    def lists_of_rebhalde(page):
        log_in(page, "desk", "openleg-desk")
        page.get_by_role("navigation", name="Gemeinschaften").get_by_role("link", name="LEG Rebhalde").click()
        tab(page, "Teilnehmende").click()
        refused = upload_participant_list(page, LISTS / "one_bad_row.csv")
        screenshot(page, "08-participant-list-error")
        page.get_by_role("link", name="Korrigierte Datei hochladen").click()
        page.get_by_label("Teilnehmerliste (CSV oder Excel .xlsx)").set_input_files(str(LISTS / "good.csv"))
        page.get_by_role("button", name="Hochladen und prüfen").click()
        page.get_by_role("button", name="Übernehmen").click()
        return refused, messages(page)

    refused, applied = browser.run(lists_of_rebhalde)

    assert "1 Fehler: nichts wird übernommen" in refused
    assert (
        "Zeile 3, Spalte «Messpunkt»: Eine Messpunkt-ID hat 33 Zeichen: «CH», 6 Ziffern der VNB-Nummer und 25 Zeichen "
        "aus 0–9, A–Z oder «-»." in refused
    )
    assert applied == [
        "Teilnehmerliste übernommen: 3 Teilnehmende neu, 1 geändert; 4 Messpunkte neu, 0 geändert; 4 Zuordnungen neu."
    ]
    assert Community.objects.get(slug="rebhalde").participants.count() == 9

    def new_community(page):
        page.goto("/utility/")
        page.get_by_role("link", name="Neue Gemeinschaft").click()
        field(page, "Name").fill("LEG Neuhof")
        field(page, "Gemeinde").select_option(index=1)
        fill_date(page, "Startdatum", "2026-11-01")
        fill_date(page, "Anmeldung beim VNB am", "2026-08-01")
        field(page, "Strasse").fill("Neuhofweg")
        field(page, "Hausnummer").fill("1")
        field(page, "PLZ").fill("5000")
        field(page, "Ort").fill("Sonnenberg")
        screenshot(page, "09-new-community")
        page.get_by_role("button", name="Gemeinschaft erfassen").click()
        created = messages(page)
        tab(page, "Teilnehmende").click()
        upload_participant_list(page, neuhof_list)
        page.get_by_role("button", name="Übernehmen").click()
        listed = messages(page)
        tab(page, "Gründung").click()
        page.get_by_role("link", name="Angaben bearbeiten").click()
        representative = field(page, "Vertretung der LEG")
        sara = next(text for text in representative.locator("option").all_inner_texts() if "Sonne" in text)
        representative.select_option(label=sara)
        page.get_by_role("button", name="Speichern").click()
        return created, listed

    _created, listed = browser.run(new_community)

    neuhof = Community.objects.get(name="LEG Neuhof")
    assert neuhof.status == "draft" and neuhof.utility.name.startswith("Elektrizitätswerk Sonnenberg")
    assert listed[0].startswith("Teilnehmerliste übernommen: 3 Teilnehmende neu")
    assert neuhof.representative.customer_number == "N-1"

    def formation(page):
        page.goto(f"/utility/communities/{neuhof.pk}/")
        steps = [move(page, "Teilnehmende vollständig"), move(page, "Voraussetzungen erfüllt")]
        page.get_by_role("link", name="Tarif erfassen").click()
        fill_date(page, "Gültig ab", "2026-11-01")
        field(page, "Bezugspreis intern (Rp./kWh)").fill("20")
        field(page, "Vergütung Produzenten (Rp./kWh)").fill("12")
        page.get_by_role("button", name="Tarif erfassen").click()
        steps.append(messages(page))
        page.get_by_role("button", name="Gründungsdokumente erstellen").click()
        page.locator("ul.messages li", has_text="Die Dokumente werden erstellt").wait_for()  # the post has landed
        page.reload()  # the documents were made by the task meanwhile
        screenshot(page, "10-formation-documents")
        steps.append(move(page, "Dokumente bereit"))
        while page.get_by_role("link", name="Unterschrift auf Papier erfassen").count():
            page.get_by_role("link", name="Unterschrift auf Papier erfassen").first.click()
            field(page, "Scan des unterzeichneten Dokuments").set_input_files(str(scan))
            fill_date(page, "unterzeichnet am", local_today().isoformat())
            page.get_by_role("button", name="Unterschrift erfassen").click()
        for status in ("In Unterzeichnung", "Unterzeichnet", "Beim VNB angemeldet", "Aktiv"):
            steps.append(move(page, status))
        screenshot(page, "11-formation-active")
        return steps

    steps = browser.run(formation)

    neuhof.refresh_from_db()
    assert steps[:2] == [["Status: Teilnehmende vollständig."], ["Status: Voraussetzungen erfüllt."]]
    assert steps[2] == ["Tarif Version 1 gilt ab 01.11.2026."]
    assert steps[-4:] == [
        ["Status: In Unterzeichnung."],
        ["Status: Unterzeichnet."],
        ["Status: Beim VNB angemeldet."],
        ["Status: Aktiv."],
    ]
    assert neuhof.status == "active"
    assert set(Document.objects.filter(community=neuhof).values_list("signature_state", flat=True)) == {"signed"}
    assert list(FormationStep.objects.filter(community=neuhof).values_list("door", flat=True)) == ["portal"] * 7
    assert set(AuditEntry.objects.filter(community=neuhof).values_list("door", flat=True)) == {"portal"}
