"""The root URLconf's handler500: a failure that reached no other handler (a view, a middleware, the session saved
after the view).

An unreachable database, Redis or broker answers 503 naming it, with Retry-After, instead of the 500 of a bug.
Under ``/api/`` every failure answers in the API's one error shape. The pages render without a request context:
nothing on them may need the database or the cache that just failed.
"""

import sys

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

from openleg.unavailable import RETRY_AFTER_SECONDS, unavailable_sentence, unavailable_service

API_PREFIX = "/api/"


def server_error(request):
    error = sys.exc_info()[1]  # Django calls handler500 while it handles the exception
    if request.path.startswith(API_PREFIX):
        from api.exceptions import as_api_error, error_headers  # the root URLconf includes the API, as here

        api_error = as_api_error(error, method=request.method)
        return JsonResponse(
            api_error.body(), status=api_error.status, headers=error_headers(api_error),
            json_dumps_params={"ensure_ascii": False},
        )
    service = unavailable_service(error)
    if service is None:
        return defaults.server_error(request)
    page = loader.get_template("503.html").render({"sentence": unavailable_sentence(service)})
    return HttpResponse(page, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
