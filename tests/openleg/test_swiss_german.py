"""The de-CH catalogue: Django's and the third-party apps' German in Swiss spelling, and complete for the admin's
JavaScript; kept current with the installed packages and compiled."""

import re
from pathlib import Path

import django
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation

from openleg.gettext_files import CONTEXT, PLURAL, read_mo, read_po, write_mo, write_po
from openleg.swiss_german import DOMAINS, catalogue, installed_german, locale_dir

ADMIN_JS = Path(django.__file__).parent / "contrib" / "admin" / "static" / "admin" / "js"
_LITERAL = r"""(?:'((?:\\.|[^'\\])*)'|"((?:\\.|[^"\\])*)")"""


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_committed_catalogue_is_what_the_installed_packages_and_the_additions_give(domain):
    po, mo = catalogue(domain)
    folder = locale_dir() / "LC_MESSAGES"
    assert (folder / f"{domain}.po").read_text(encoding="utf-8") == po, "run scripts/de_ch_catalogue"
    assert (folder / f"{domain}.mo").read_bytes() == mo, "run scripts/de_ch_catalogue"


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalogue_is_current_with_its_po_file(domain):
    folder = locale_dir() / "LC_MESSAGES"
    compiled = read_mo((folder / f"{domain}.mo").read_bytes())
    assert compiled == read_po((folder / f"{domain}.po").read_text(encoding="utf-8"))
    assert compiled["Close" if domain == "django" else "Choose all %s"] in ("Schliessen", "Alle %s auswählen")


def test_django_and_the_apps_speak_swiss_german():
    with translation.override("de-ch"):
        assert translation.gettext("Close") == "Schliessen"
        assert translation.gettext("Big (8 byte) integer") == "Grosse Ganzzahl (8 Byte)"
        assert translation.gettext("Date out of range") == "Datum ausserhalb des zulässigen Bereichs"
        assert (
            translation.gettext("Ensure this value is greater than or equal to {min_value}.")
            == "Stelle sicher, dass dieser Wert grösser oder gleich {min_value} ist."
        )


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_installed_german_string_reaches_a_user_with_a_sharp_s(domain):
    merged = DjangoTranslation("de-ch", domain=domain)
    keys = {key for path in installed_german(domain) for key in read_mo(path.read_bytes()) if key}
    assert len(keys) > (800 if domain == "django" else 40)
    spelt = {}
    for key in keys:
        context, _, rest = key.rpartition(CONTEXT)
        msgid, _, plural = rest.partition(PLURAL)
        if plural:
            forms = [merged.ngettext(msgid, plural, n) for n in (1, 2)]
        elif context:
            forms = [merged.pgettext(context, msgid)]
        else:
            forms = [merged.gettext(msgid)]
        spelt[key] = forms
    assert [key for key, forms in spelt.items() if any("ß" in form for form in forms)] == []


def test_the_additions_are_swiss_too():
    for domain in DOMAINS:
        po, _mo = catalogue(domain)
        assert "ß" not in po


def admin_javascript_strings() -> set[str]:
    strings = set()
    for path in sorted(ADMIN_JS.glob("*.js")) + sorted(ADMIN_JS.glob("admin/*.js")):
        for match in re.finditer(r"\bn?gettext\(\s*" + _LITERAL, path.read_text(encoding="utf-8")):
            strings.add((match[1] if match[1] is not None else match[2]).replace("\\'", "'").replace('\\"', '"'))
    return strings


def test_every_string_of_the_admin_javascript_is_german():
    strings = admin_javascript_strings()
    assert {"Choose all %s", "Remove all %s", "(click to clear)", "Today"} <= strings
    german = DjangoTranslation("de-ch", domain="djangojs", localedirs=[ADMIN_JS.parents[2] / "locale"])
    same_in_german = {"April", "August", "Filter", "November", "September"}
    assert sorted(s for s in strings if german.gettext(s) == s) == sorted(same_in_german & strings)


def test_the_admin_javascript_catalogue_is_german_swiss_whatever_the_browser_asks(staff):
    for accept in ("de-CH,de;q=0.9", "en-US,en;q=0.9", "fr-CH,fr;q=0.9"):
        body = staff.get(reverse("admin:jsi18n"), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
        assert '"Choose all %s": "Alle %s ausw\\u00e4hlen"' in body
        assert '"Remove all %s": "Alle %s entfernen"' in body


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["fr-CH,fr;q=0.9", "en-US,en;q=0.9", "it-CH"])
def test_a_browser_asking_for_another_language_gets_german_pages(client, accept):
    body = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert "Anmelden" in body
    assert "Connexion" not in body and "Log in" not in body


def test_po_and_mo_round_trip_contexts_plurals_and_multiline_text():
    entries = {
        "": "Language: de_CH\nPlural-Forms: nplurals=2; plural=(n != 1);\n",
        "month" + CONTEXT + "May": "Mai",
        "%d file" + PLURAL + "%d files": "%d Datei" + PLURAL + "%d Dateien",
        'Say "hi"\nto\tall': "Sag «hallo»\nan\talle",
    }
    assert read_po(write_po(entries)) == entries
    assert read_mo(write_mo(entries)) == entries
    assert 'msgctxt "month"\nmsgid "May"\nmsgstr "Mai"' in write_po(entries)
    assert 'msgid_plural "%d files"\nmsgstr[0] "%d Datei"\nmsgstr[1] "%d Dateien"' in write_po(entries)


def test_fuzzy_and_obsolete_entries_are_not_read():
    text = '#, fuzzy\nmsgid "Size"\nmsgstr "Größe"\n\n#~ msgid "Old"\n#~ msgstr "Alt"\n\nmsgid "Close"\nmsgstr "Zu"\n'
    assert read_po(text) == {"Close": "Zu"}


@pytest.mark.django_db
def test_the_user_add_page_has_no_english_sentence_left(admin_client):
    page = admin_client.get("/admin/accounts/user/add/").content.decode()

    assert "Nachdem der Benutzer erstellt ist, können Sie weitere Angaben zu ihm bearbeiten." in page
    assert "After you" not in page and "password-based" not in page
