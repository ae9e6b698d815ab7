"""Portal downloads for utility users: only documents of communities in their own grid."""

from django.http import FileResponse

from accounts.portal_roles import PortalAction, portal_action_required
from communities.portal.lookups import found
from documents.selectors import document_visible_to


@portal_action_required(PortalAction.VIEW)
def document_download(request, pk: int):
    document = found(document_visible_to, user=request.user, pk=pk)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename)
