"""MCP over streamable HTTP: the SDK's session manager behind a bearer-token check.

Every request to the MCP path must carry ``Authorization: Bearer <secret>`` of a usable agent token; otherwise it is
answered 401 with the API's error shape and ``WWW-Authenticate: Bearer``, before the SDK sees it (503 with
Retry-After while the database cannot be asked). The token found
travels in the ASGI scope to the tool call (``api.mcp.server.TOKEN_SCOPE_KEY``).

The manager runs stateless, answering JSON: each POST is complete in itself, so any worker process of the server can
answer any request (no session lives in one process's memory), and no tool needs to call back to the client. The
SDK's DNS-rebinding protection admits the Host names of ``ALLOWED_HOSTS`` (on any port) and Origins of those names
and of ``CSRF_TRUSTED_ORIGINS``.
"""

import json
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from django.conf import settings
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import ApiError
from api.exceptions import error_headers, service_unavailable
from api.mcp.django_thread import in_django_thread
from api.mcp.server import TOKEN_SCOPE_KEY, build_server, token_for
from openleg.unavailable import unavailable_service


@dataclass(frozen=True)
class MCPHttp:
    app: ASGIApp  # the MCP path's ASGI app
    manager: StreamableHTTPSessionManager

    def lifespan(self) -> AbstractAsyncContextManager[None]:
        """What the host's lifespan must run around serving (the SDK's task group); once per ``MCPHttp``."""
        return self.manager.run()


def mcp_http() -> MCPHttp:
    manager = StreamableHTTPSessionManager(
        app=build_server(), json_response=True, stateless=True,
        security_settings=transport_security(settings.ALLOWED_HOSTS, settings.CSRF_TRUSTED_ORIGINS),
    )
    return MCPHttp(app=BearerTokenMiddleware(StreamableHTTPASGIApp(manager)), manager=manager)


def transport_security(allowed_hosts: list[str], trusted_origins: list[str]) -> TransportSecuritySettings:
    """Django's host list as the SDK's: each name with and without a port. ``"*"`` (any host, which Django accepts
    too) turns the check off; a leading dot (Django: the domain and its subdomains) admits the domain only, since
    the SDK matches names exactly: list subdomains one by one."""
    if "*" in allowed_hosts:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    names = [host.lstrip(".") for host in allowed_hosts]
    hosts = [pattern for name in names for pattern in (name, f"{name}:*")]
    origins = [f"{scheme}://{pattern}" for scheme in ("https", "http") for pattern in hosts]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins + list(trusted_origins)
    )


class BearerTokenMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            token = await in_django_thread(token_for, bearer_secret(scope))
        except ApiError as error:
            await _refuse(error, send)
            return
        except Exception as failure:
            if not (service := unavailable_service(failure)):
                raise
            error = service_unavailable(service)
            await _answer(error, send, error_headers(error))
            return
        await self.app({**scope, TOKEN_SCOPE_KEY: token}, receive, send)


def bearer_secret(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _space, secret = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and secret.strip():
                return secret.strip()
    return None


async def _refuse(error: ApiError, send: Send) -> None:
    challenge = 'Bearer realm="openleg"'
    if error.code != "token_missing":  # RFC 6750: a token was sent but is no good
        challenge += ', error="invalid_token"'
    await _answer(error, send, {"WWW-Authenticate": challenge})


async def _answer(error: ApiError, send: Send, headers: dict[str, str]) -> None:
    body = json.dumps(error.body(), ensure_ascii=False).encode()
    await send({
        "type": "http.response.start",
        "status": error.status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *((name.lower().encode(), value.encode()) for name, value in headers.items()),
        ],
    })
    await send({"type": "http.response.body", "body": body})
