"""Django's synchronous work (the ORM) from the async MCP server, the way Django's ASGI handler runs a sync view.

Each call gets a thread of its own context (``ThreadSensitiveContext``), so calls of different clients run side by
side and one call's queries stay on one connection; a sync caller higher up the stack (a test driving the client
with ``async_to_sync``) gets the work back in its own thread, with its own transaction. Afterwards connections are
released as at the end of a Django request; one inside an open transaction (a test's) is left alone.
"""

from collections.abc import Callable
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.db import connections


async def in_django_thread(function: Callable[..., Any], *args, **kwargs) -> Any:
    async with ThreadSensitiveContext():
        return await sync_to_async(_released(function), thread_sensitive=True)(*args, **kwargs)


def _released(function):
    def run(*args, **kwargs):
        _release_connections()
        try:
            return function(*args, **kwargs)
        finally:
            _release_connections()

    return run


def _release_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
