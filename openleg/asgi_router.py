"""One ASGI application for the whole site: the MCP path to the MCP app, everything else to Django.

Django's ASGI handler speaks HTTP only; the router answers the server's lifespan messages itself and runs the MCP
SDK's session manager for as long as the server runs.
"""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from starlette.types import ASGIApp, Receive, Scope, Send


class Router:
    def __init__(
        self, *, django: ASGIApp, mcp: ASGIApp, mcp_path: str, lifespan: Callable[[], AbstractAsyncContextManager]
    ) -> None:
        self.django = django
        self.mcp = mcp
        self.mcp_path = mcp_path.rstrip("/")
        self.lifespan = lifespan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._serve_lifespan(receive, send)
        elif scope["type"] == "http" and scope["path"].rstrip("/") == self.mcp_path:
            await self.mcp(scope, receive, send)
        else:
            await self.django(scope, receive, send)

    async def _serve_lifespan(self, receive: Receive, send: Send) -> None:
        await receive()  # lifespan.startup
        started = False
        try:
            async with self.lifespan():
                await send({"type": "lifespan.startup.complete"})
                started = True
                await receive()  # lifespan.shutdown
        except Exception as error:
            await send({"type": f"lifespan.{'shutdown' if started else 'startup'}.failed", "message": repr(error)})
            return
        await send({"type": "lifespan.shutdown.complete"})
