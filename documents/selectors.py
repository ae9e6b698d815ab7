"""Reads of documents, scoped to the user like every portal read."""

from django.utils.translation import gettext as _

from accounts.scoping import scope_to_user
from documents.models import Document
from openleg.errors import NotFound


def document_visible_to(*, user, pk: int) -> Document:
    document = scope_to_user(Document.objects.all(), user, utility_path="community__utility").filter(pk=pk).first()
    if document is None:
        raise NotFound(_("Kein Dokument mit der Nummer %(pk)s, das Sie sehen dürfen.") % {"pk": pk})
    return document
