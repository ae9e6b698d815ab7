"""Portal downloads for utility users: only documents of communities in their own grid."""

from django.http import FileResponse, Http404

from accounts.portal_roles import PortalAction, portal_action_required
from documents.selectors import document_visible_to
from openleg.errors import NotFound


@portal_action_required(PortalAction.VIEW)
def document_download(request, pk: int):
    try:
        document = document_visible_to(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename)
