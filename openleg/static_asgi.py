"""Static files under ASGI, found and described by WhiteNoise, streamed without blocking the event loop.

WhiteNoise 6 is WSGI and Django middleware only. Behind Django's ASGI handler its middleware still answers, but
Django reads each file whole into memory in a thread (with a warning per response), since the file is a
synchronous iterator. This serves the same files with WhiteNoise's own lookup and headers (compressed variants,
cache headers, ETag and 304, ranges) before Django is asked, reading chunks in a worker thread. Django's
``SecurityMiddleware`` does not see these responses, so its ``nosniff`` header is added here.
"""

import anyio
from django.conf import settings
from starlette.types import ASGIApp, Receive, Scope, Send
from whitenoise.middleware import WhiteNoiseMiddleware

CHUNK_BYTES = 64 * 1024


class StaticFilesASGI:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.whitenoise = WhiteNoiseMiddleware()  # reads STATIC_* and WHITENOISE_* settings as the middleware does

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.whitenoise.static_prefix):
            response = await anyio.to_thread.run_sync(self._response, scope)
            if response is not None:
                await self._send(response, send)
                return
        await self.app(scope, receive, send)

    def _response(self, scope: Scope):
        path = scope["path"]
        whitenoise = self.whitenoise
        static_file = whitenoise.find_file(path) if whitenoise.autorefresh else whitenoise.files.get(path)
        if static_file is None:
            return None
        return static_file.get_response(scope["method"], _wsgi_headers(scope))

    async def _send(self, response, send: Send) -> None:
        headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in response.headers]
        if settings.SECURE_CONTENT_TYPE_NOSNIFF:
            headers.append((b"x-content-type-options", b"nosniff"))
        await send({"type": "http.response.start", "status": int(response.status), "headers": headers})
        if response.file is None:
            await send({"type": "http.response.body", "body": b""})
            return
        try:
            while chunk := await anyio.to_thread.run_sync(response.file.read, CHUNK_BYTES):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            response.file.close()


def _wsgi_headers(scope: Scope) -> dict[str, str]:
    """The request headers as WhiteNoise reads them (WSGI names: ``HTTP_ACCEPT_ENCODING`` …)."""
    return {
        "HTTP_" + name.decode("latin-1").upper().replace("-", "_"): value.decode("latin-1")
        for name, value in scope["headers"]
    }
