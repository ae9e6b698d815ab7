"""GET /metrics: Prometheus' text format, for an internal scraper only.

Allowed with ``Authorization: Bearer <OPENLEG_METRICS_TOKEN>`` (compared in constant time) or from an address in
``OPENLEG_METRICS_ALLOWED_IPS`` (addresses or networks; behind our proxy the address the proxy saw, as the login
throttle reads it). Anyone else gets the ordinary 404: the endpoint is not revealed.
"""

import glob
import hmac
import ipaddress
import os

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from accounts.login_throttle import client_address
from openleg.metrics import REGISTRY
from openleg.metrics_business import BusinessCollector


def _token_matches(request) -> bool:
    token = settings.OPENLEG_METRICS_TOKEN
    if not token:
        return False
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def _address_allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(allowed, strict=False) for allowed in settings.OPENLEG_METRICS_ALLOWED_IPS)


def metrics_allowed(request) -> bool:
    return _token_matches(request) or _address_allowed(client_address(request))


class ProcessCounters:
    """The counters and histograms of every process: summed from the files of ``OPENLEG_METRICS_DIR`` (each
    process's own files, directly there or one folder down, a folder per container), else this process's own."""

    def collect(self):
        folder = settings.OPENLEG_METRICS_DIR
        if not folder:
            return REGISTRY.collect()
        files = glob.glob(os.path.join(folder, "*.db")) + glob.glob(os.path.join(folder, "*", "*.db"))
        return MultiProcessCollector.merge(files, accumulate=True)


def exposition() -> bytes:
    registry = CollectorRegistry()
    registry.register(ProcessCounters())
    registry.register(BusinessCollector())
    return generate_latest(registry)


@never_cache
def metrics(request):
    if not metrics_allowed(request):  # before the method too: a 405 would reveal the endpoint
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
