"""The project's URLs plus views that fail on purpose, for the error page tests."""

import kombu.exceptions
import redis.exceptions
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.urls import path

from openleg import urls as project_urls


def fails(request):
    raise RuntimeError("a bug")


def forbidden(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("a tampered request")


def unreachable(error: Exception):
    """A view that meets an unreachable service, as it would in the middle of its work."""

    def view(request):
        raise error

    return view


database_down = unreachable(OperationalError('connection to server at "127.0.0.1", port 5432 failed'))

urlpatterns = [
    path("test-errors/500/", fails),
    path("test-errors/database/", database_down),
    path("test-errors/redis/", unreachable(redis.exceptions.ConnectionError("Error 111 connecting"))),
    path("test-errors/broker/", unreachable(kombu.exceptions.OperationalError("Error 111 connecting"))),
    path("api/test-errors/database/", database_down),
    path("api/test-errors/500/", fails),
    path("test-errors/403/", forbidden),
    path("test-errors/400/", suspicious),
    *project_urls.urlpatterns,
]
handler500 = project_urls.handler500
