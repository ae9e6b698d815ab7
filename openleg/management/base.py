"""The base of our management commands: German throughout, through gettext.

Our own texts are German msgids. What Django and argparse add is English: Django's options (--verbosity, …) get
German help here; argparse's own words ("usage:", "the following arguments are required: …") are looked up in
the de-CH catalogue (locale/de_CH/additions/django.po) while a command's parser is built, parses or prints help.
"""

import argparse
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

BASE_OPTION_HELP = {
    "--version": gettext_lazy("Versionsnummer zeigen und beenden."),
    "--verbosity": gettext_lazy("Ausführlichkeit: 0 = knapp, 1 = normal, 2 = ausführlich, 3 = sehr ausführlich."),
    "--settings": gettext_lazy(
        "Python-Pfad des Einstellungsmoduls, z. B. openleg.settings.production; "
        "ohne Angabe gilt die Umgebungsvariable DJANGO_SETTINGS_MODULE."
    ),
    "--pythonpath": gettext_lazy("Verzeichnis, das dem Python-Pfad vorangestellt wird."),
    "--traceback": gettext_lazy("Bei einem Fehler die vollständige Ablaufverfolgung zeigen."),
    "--no-color": gettext_lazy("Ausgabe ohne Farben."),
    "--force-color": gettext_lazy("Ausgabe immer mit Farben."),
    "--skip-checks": gettext_lazy("Systemprüfungen überspringen."),
}

BASE_OPTION_METAVAR = {"--settings": gettext_lazy("MODUL"), "--pythonpath": gettext_lazy("VERZEICHNIS")}


@contextmanager
def argparse_in_german():
    """argparse calls its module's ``_`` and ``ngettext`` whenever it words something; point them to Django's
    translation for as long as one of our parsers works."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = _, ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


class GermanCommandParser(CommandParser):
    def parse_known_args(self, args=None, namespace=None):
        with argparse_in_german():
            return super().parse_known_args(args, namespace)

    def format_usage(self):
        with argparse_in_german():
            return super().format_usage()

    def format_help(self):
        with argparse_in_german():
            return super().format_help()

    def error(self, message):
        if self.called_from_command_line:
            with argparse_in_german():
                argparse.ArgumentParser.error(self, message)  # prints the usage and exits with 2
        raise CommandError(_("Fehler: %(message)s") % {"message": message})


class GermanCommand(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        with argparse_in_german():
            parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Django builds a CommandParser and offers no hook for the class; ours only adds behaviour, no state.
        parser.__class__ = GermanCommandParser
        # argparse needs real strings: lazy texts (class attributes) are worded in the language active now.
        parser.description = str(parser.description) if parser.description else None
        for action in parser._actions:
            if action.help is None or action.help is argparse.SUPPRESS:
                continue
            names = [name for name in action.option_strings if name in BASE_OPTION_HELP]
            action.help = str(BASE_OPTION_HELP[names[0]] if names else action.help)
            if names and names[0] in BASE_OPTION_METAVAR:
                action.metavar = str(BASE_OPTION_METAVAR[names[0]])
        return parser
