"""A service the app depends on cannot be reached: PostgreSQL, Redis or the task queue's broker.

That is no bug of ours and passes by itself: people get a 503 that names the service (a page in the product's
layout, or the API's error shape with Retry-After), not the 500 of a bug. Each door asks ``unavailable_service``.
"""

import kombu.exceptions
import redis.exceptions
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext_lazy as _
from django_redis.exceptions import ConnectionInterrupted

RETRY_AFTER_SECONDS = 10

SERVICE_NAMES = {
    "database": _("Die Datenbank"),
    "redis": _("Der Zwischenspeicher (Redis)"),
    "broker": _("Die Warteschlange der Hintergrundaufträge"),
}


def unavailable_service(error: BaseException | None) -> str | None:
    """``database``, ``redis`` or ``broker`` when ``error`` says that service is unreachable, else None.

    Django's OperationalError also stands for a statement cancelled by a timeout or a lock: those pass too, and a
    503 with "try again" is right for them as well.
    """
    if isinstance(error, OperationalError | InterfaceError):
        return "database"
    if isinstance(error, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError | ConnectionInterrupted):
        return "redis"
    if isinstance(error, kombu.exceptions.OperationalError):
        return "broker"
    return None


def unavailable_sentence(service: str) -> str:
    return _("%(service)s ist im Moment nicht erreichbar.") % {"service": SERVICE_NAMES[service]}
