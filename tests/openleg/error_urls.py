"""The project's URLs plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from openleg.urls import urlpatterns as project_urlpatterns


def fails(request):
    raise RuntimeError("a bug")


def forbidden(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("a tampered request")


urlpatterns = [
    path("test-errors/500/", fails),
    path("test-errors/403/", forbidden),
    path("test-errors/400/", suspicious),
    *project_urlpatterns,
]
