"""Our management commands speak German throughout: their help, argparse's own words and Django's options."""

import argparse
import gettext

import pytest
from django.core.management import ManagementUtility, call_command, load_command_class
from django.core.management.base import CommandError
from django.db import connections

COMMANDS = {
    "run_billing": "billing",
    "generate_documents": "documents",
    "send_invoices": "documents",
    "import_meter_data": "metering",
    "demo_bank_file": "payments",
    "export_payouts": "payments",
    "import_bank_file": "payments",
    "import_market_data": "pipeline",
}
ENGLISH = ("usage:", "positional arguments", "show this help", "Verbosity", "colorize", " the ", " of ", "id or slug")


def help_of(name: str) -> str:
    return load_command_class(COMMANDS[name], name).create_parser("manage.py", name).format_help()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_help_of_each_command_is_german(name):
    text = help_of(name)
    assert text.startswith(f"Aufruf: manage.py {name} ")
    assert "\nOptionen:\n" in text
    assert "diese Hilfe zeigen und beenden" in text
    flowing = " ".join(text.split())
    assert "Ausführlichkeit: 0 = knapp, 1 = normal, 2 = ausführlich, 3 = sehr ausführlich." in flowing
    assert [phrase for phrase in ENGLISH if phrase in flowing] == []
    assert "ß" not in text


def test_the_help_names_the_arguments_in_german():
    text = help_of("run_billing")
    assert "Aufruf: manage.py run_billing [-h] --period JJJJ-MM" in " ".join(text.split())
    assert "Argumente:\n  LEG " in text
    assert "Nummer oder Kurzbezeichnung der LEG" in text
    assert "Berechnet den Entwurf der Abrechnung einer LEG" in text


def test_a_missing_argument_is_named_in_german(db):
    with pytest.raises(CommandError) as caught:
        call_command("send_invoices")
    assert str(caught.value) == "Fehler: diese Angaben fehlen: LAUF"


def test_a_wrong_choice_is_named_in_german(db):
    with pytest.raises(CommandError) as caught:
        call_command("generate_documents", "sonnenberg", "--kind", "brief")
    assert str(caught.value) == (
        "Fehler: --kind: ungültige Wahl: 'brief' (möglich sind 'agreement', 'contract', 'registration', 'invoices')"
    )


def test_a_wrong_number_is_named_in_german(db):
    with pytest.raises(CommandError) as caught:
        call_command("send_invoices", "sieben")
    assert str(caught.value) == "Fehler: LAUF: ungültiger Wert: 'sieben' (erwartet: int)"


def test_on_the_command_line_the_usage_and_the_german_error_go_to_stderr(capsys, monkeypatch):
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "run_billing", "sonnenberg", "--period"]).execute()
    assert exit_.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("Aufruf: manage.py run_billing ")
    assert err[-1] == "manage.py run_billing: Fehler: --period: ein Wert fehlt"


def test_argparse_is_left_as_it_was():
    help_of("run_billing")
    assert argparse._ is gettext.gettext
    assert argparse.ngettext is gettext.ngettext
