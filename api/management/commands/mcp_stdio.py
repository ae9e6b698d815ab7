"""``manage.py mcp_stdio``: the MCP server over stdin/stdout, for an agent runtime that starts it as a process."""

import os

import anyio
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from mcp.server.stdio import stdio_server

from api.errors import ApiError
from api.mcp.server import build_server, token_for


class Command(BaseCommand):
    help = _(
        "MCP-Server über stdio. Das Token kommt aus einer Umgebungsvariable (Standard OPENLEG_AGENT_TOKEN); ein "
        "ungültiges wird beim Start abgewiesen, ein später widerrufenes beim nächsten Aufruf."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--token-env", default="OPENLEG_AGENT_TOKEN",
            help=_("Umgebungsvariable mit dem Token (Standard: OPENLEG_AGENT_TOKEN)"),
        )

    def handle(self, *args, token_env, **options):
        secret = os.environ.get(token_env, "").strip()
        if not secret:
            raise CommandError(_("Die Umgebungsvariable %(name)s ist leer oder fehlt.") % {"name": token_env})
        try:
            token = token_for(secret)
        except ApiError as error:
            raise CommandError(f"{token_env}: {error.message}") from error
        self.stderr.write(_("MCP über stdio für das Token %(token)s") % {"token": token})  # stdout is the protocol's
        anyio.run(_serve, build_server(secret=secret))


async def _serve(server) -> None:
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())
