"""What each request leaves for the operator: its id, one access log line, and its count and duration.

The first middleware: it sees every answer, the HTTPS redirect and a 500 from a failing view too (Django turns
an exception into a response inside the middleware after it).
"""

import logging
import time

from django.utils.functional import SimpleLazyObject, empty

from openleg.log_context import REQUEST_ID_HEADER, request_id_from, request_id_var
from openleg.metrics import observe_request, route_of

access_log = logging.getLogger("openleg.access")


def _user_id(request) -> int | None:
    """The signed-in user's id, when the request looked the user up anyway (never a query just for the log)."""
    user = getattr(request, "user", None)
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


class RequestSignalsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            response[REQUEST_ID_HEADER] = request_id
            route = route_of(request)
            observe_request(method=request.method, route=route, status=response.status_code, seconds=seconds)
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)
