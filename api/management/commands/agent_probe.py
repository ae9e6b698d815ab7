"""``manage.py agent_probe URL --token-env VAR``: does the MCP endpoint answer an agent as it should?"""

import json
import logging
import os

import anyio
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from api.mcp.probe import http_refusal, probe


class Command(BaseCommand):
    help = _(
        "Verbindet sich mit dem MCP-Server wie ein Agent (streamable HTTP, Bearer-Token), listet die Werkzeuge, ruft "
        "die lesenden ohne Pflichtangaben (und die mit --call genannten) auf und zeigt, was zurückkam."
    )

    def add_arguments(self, parser):
        parser.add_argument("url", help=_("z. B. http://127.0.0.1:8000/mcp"))
        parser.add_argument(
            "--token-env", default="OPENLEG_AGENT_TOKEN",
            help=_("Umgebungsvariable mit dem Token (Standard: OPENLEG_AGENT_TOKEN)"),
        )
        parser.add_argument(
            "--call", action="append", default=[], metavar="NAME=JSON",
            help=_('zusätzlich aufrufen, z. B. get_billing_summary=\'{"community": 1, "month": "2026-03"}\''),
        )
        parser.add_argument(
            "--mode", default="auto",
            help=_("Protokoll: auto (Standard), legacy (Initialisierung wie ältere Clients) oder eine Version"),
        )

    def handle(self, *args, url, token_env, call, mode, **options):
        secret = os.environ.get(token_env, "").strip()
        if not secret:
            raise CommandError(_("Die Umgebungsvariable %(name)s ist leer oder fehlt.") % {"name": token_env})
        calls = dict(_parse_call(item) for item in call)
        logging.getLogger("httpx2").setLevel(logging.WARNING)  # one line per request otherwise
        try:
            report = anyio.run(lambda: probe(url, secret, calls=calls, mode=mode))
        except Exception as error:  # the probe's job is to say what went wrong, whatever it is
            raise CommandError(_("%(url)s antwortet nicht wie ein MCP-Server: %(error)s") % {
                "url": url, "error": _refusal(url, secret) or _describe(error)
            }) from error
        self.stdout.write(_("Server: %(server)s, Protokoll %(version)s") % {
            "server": report.server, "version": report.protocol_version
        })
        self.stdout.write(_("%(count)d Werkzeuge:") % {"count": len(report.tools)})
        for name, read_only in report.tools:
            self.stdout.write(f"  {name} ({_('lesend') if read_only else _('schreibend')})")
        for name, required in report.skipped:
            self.stdout.write(_("übersprungen: %(name)s braucht %(fields)s") % {
                "name": name, "fields": ", ".join(required)
            })
        for probed in report.calls:
            self.stdout.write(f"{'OK    ' if probed.ok else 'FEHLER'} {probed.tool}: {probed.excerpt}")
        if not report.ok:
            failed = [probed.tool for probed in report.calls if not probed.ok]
            raise CommandError(_("Fehlgeschlagen: %(tools)s") % {"tools": ", ".join(failed)})


def _parse_call(item: str) -> tuple[str, dict]:
    name, _equals, arguments = item.partition("=")
    try:
        parsed = json.loads(arguments or "{}")
    except ValueError as error:
        raise CommandError(_("--call %(item)s: die Angaben sind kein JSON.") % {"item": item}) from error
    if not isinstance(parsed, dict):
        raise CommandError(_("--call %(item)s: die Angaben müssen ein JSON-Objekt sein.") % {"item": item})
    return name.strip(), parsed


def _refusal(url: str, secret: str) -> str | None:
    try:
        return anyio.run(http_refusal, url, secret)
    except Exception:  # unreachable: the original error says more
        return None


def _describe(error: BaseException) -> str:
    """The innermost causes of an error (the client raises exception groups from its task groups)."""
    if isinstance(error, BaseExceptionGroup):
        return "; ".join(_describe(inner) for inner in error.exceptions)
    return f"{type(error).__name__}: {error}"
