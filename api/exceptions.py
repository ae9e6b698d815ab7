"""The DRF exception handler: every failure of every API view answers in the one error shape (``api.errors``).

DRF's own exceptions keep their status and get a stable English code and a German message; an unreachable database,
Redis or broker answers 503 ``service_unavailable`` naming it, with Retry-After; an unexpected exception is logged
and answers 500 ``server_error`` without revealing anything about it.
"""

import logging
import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response

from api.errors import ApiError, invalid
from openleg.unavailable import RETRY_AFTER_SECONDS, unavailable_sentence, unavailable_service

logger = logging.getLogger(__name__)


def api_exception_handler(exc, context) -> Response:
    request = context.get("request")
    error = as_api_error(exc, method=getattr(request, "method", ""))
    view = type(context.get("view")).__name__
    if error.code == "service_unavailable":  # an outage, not a bug: one line each, no traceback
        logger.warning("API view %s: %s unreachable (%s: %s)", view, error.details["service"], type(exc).__name__, exc)
    elif error.status >= 500:
        logger.error("API view %s failed", view, exc_info=exc)
    return error_response(error, exc)


def error_response(error: ApiError, exc=None) -> Response:
    return Response(error.body(), status=error.status, headers=error_headers(error, exc))


def error_headers(error: ApiError, exc=None) -> dict[str, str]:
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if "retry_after_seconds" in error.details:
        headers["Retry-After"] = str(error.details["retry_after_seconds"])
    return headers


def as_api_error(exc, *, method: str = "") -> ApiError:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, Http404 | exceptions.NotFound):
        return ApiError("not_found", _("Diese Adresse gibt es nicht."), status=404)
    if isinstance(exc, DjangoPermissionDenied):
        return ApiError("permission_denied", _("Dafür fehlt die Berechtigung."), status=403)
    if isinstance(exc, exceptions.ValidationError):
        return _validation_error(exc)
    if isinstance(exc, exceptions.NotAuthenticated):
        return ApiError(
            "not_authenticated",
            _("Anmeldung fehlt: bitte den Header «Authorization: Bearer <Token>» mitsenden."),
            status=exc.status_code,
        )
    if isinstance(exc, exceptions.AuthenticationFailed):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "authentication_failed"
        return ApiError(code, str(exc.detail), status=exc.status_code)
    if isinstance(exc, exceptions.PermissionDenied):
        return ApiError("permission_denied", _("Dafür fehlt die Berechtigung."), status=exc.status_code)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return ApiError(
            "method_not_allowed",
            _("Die Methode %(method)s ist hier nicht erlaubt.") % {"method": method},
            status=405,
        )
    if isinstance(exc, exceptions.ParseError):
        return ApiError("malformed_request", _("Der Inhalt ist kein gültiges JSON."), status=400)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return ApiError(
            "unsupported_media_type", _("Bitte den Inhalt als JSON senden (Content-Type: application/json)."),
            status=415,
        )
    if isinstance(exc, exceptions.NotAcceptable):
        return ApiError("not_acceptable", _("Diese Schnittstelle antwortet nur mit JSON."), status=406)
    if isinstance(exc, exceptions.Throttled):
        return throttled(exc.wait, limit="rate")
    if isinstance(exc, exceptions.APIException):
        return ApiError(str(exc.default_code), str(exc.detail), status=exc.status_code)
    if service := unavailable_service(exc):
        return service_unavailable(service)
    return ApiError("server_error", _("Ein unerwarteter Fehler ist aufgetreten. Er wurde protokolliert."), status=500)


def throttled(wait: float | None, *, limit: str) -> ApiError:
    """429: the caller may try again in ``retry_after_seconds`` (also the Retry-After header)."""
    seconds = max(1, math.ceil(wait or 1))
    if limit == "daily_budget":
        message = _("Das Tagesbudget dieses Tokens ist aufgebraucht. Wieder möglich in %(seconds)s Sekunden.")
    else:
        message = _("Zu viele Aufrufe. Bitte in %(seconds)s Sekunden wieder versuchen.")
    return ApiError(
        "throttled", message % {"seconds": seconds}, status=429,
        details={"limit": limit, "retry_after_seconds": seconds},
    )


def service_unavailable(service: str) -> ApiError:
    """503: the database, Redis or the broker cannot be reached; try again in ``retry_after_seconds``."""
    message = _("%(sentence)s Bitte in %(seconds)s Sekunden wieder versuchen.") % {
        "sentence": unavailable_sentence(service), "seconds": RETRY_AFTER_SECONDS,
    }
    return ApiError(
        "service_unavailable", message, status=503,
        details={"service": service, "retry_after_seconds": RETRY_AFTER_SECONDS},
    )


def _validation_error(exc: exceptions.ValidationError) -> ApiError:
    detail = exc.detail
    if isinstance(detail, dict):
        return invalid({str(name): _messages(messages) for name, messages in detail.items()})
    return invalid({"non_field_errors": _messages(detail)})


def _messages(messages) -> list[str]:
    if isinstance(messages, list):
        return [str(message) for message in messages]
    if isinstance(messages, dict):
        return [f"{name}: {text}" for name, value in messages.items() for text in _messages(value)]
    return [str(messages)]
