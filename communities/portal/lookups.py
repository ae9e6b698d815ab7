"""What every portal view does first: the community through the scoped selector (another utility's id is a
404 for GET and POST alike), then objects only from within that community, and only then the method check."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed

from accounts.portal_roles import PortalAction, may
from communities import selectors
from openleg.errors import NotFound


def found(lookup, **kwargs):
    """Call a scoped selector; its NotFound becomes the 404 page."""
    try:
        return lookup(**kwargs)
    except NotFound as error:
        raise Http404(error.message) from error


def community_for(request, pk: int):
    return found(selectors.community_get, user=request.user, pk=pk)


def check_may_edit(request) -> None:
    """Pages everyone may read whose POSTs change the formation: viewers get a 403 for the POST."""
    if request.method == "POST" and not may(request.user, PortalAction.EDIT_FORMATION):
        raise PermissionDenied


def not_a_post(request):
    """A 405 for a GET on an action that only takes POSTs (after the lookups, so a foreign id stays a 404)."""
    return HttpResponseNotAllowed(["POST"]) if request.method != "POST" else None
