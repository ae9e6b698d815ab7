"""Reads of documents, scoped to the user like every portal read."""

from django.utils.translation import gettext as _

from accounts.scoping import scope_to_user
from documents.models import Document, SignatureRequest
from openleg.errors import NotFound


def document_visible_to(*, user, pk: int) -> Document:
    document = scope_to_user(Document.objects.all(), user, utility_path="community__utility").filter(pk=pk).first()
    if document is None:
        raise NotFound(_("Kein Dokument mit der Nummer %(pk)s, das Sie sehen dürfen.") % {"pk": pk})
    return document


def community_document(*, user, community, pk: int) -> Document:
    """A document of ``community`` the user may see, with its signature request if any; NotFound otherwise."""
    document = (
        scope_to_user(Document.objects.all(), user, utility_path="community__utility")
        .filter(pk=pk, community=community)
        .select_related("community__representative", "participant")
        .first()
    )
    if document is None:
        raise NotFound(_("Kein Dokument mit der Nummer %(pk)s in dieser Gemeinschaft.") % {"pk": pk})
    return document


def signature_request_of(*, document: Document) -> SignatureRequest | None:
    """The document's DeepSign request, or None when it was never sent."""
    return SignatureRequest.objects.filter(document=document).select_related("document__community").first()


def community_documents(*, community) -> list[Document]:
    """Every version of every document of ``community``: by kind and subject, the newest version first."""
    return list(
        Document.objects.filter(community=community)
        .select_related("participant")
        .order_by("kind", "subject", "-version", "pk")
    )
