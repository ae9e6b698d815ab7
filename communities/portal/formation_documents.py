"""The formation documents in the portal: generate them, send one to DeepSign, withdraw it, record a signature on
paper. Each calls the documents services with door ``portal``; their refusals become messages."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.portal_roles import PortalAction, portal_action_required
from communities.models import Door
from communities.portal.lookups import community_for, found, not_a_post
from documents.forms import PaperSignatureForm
from documents.paper_signatures import paper_signature_recordable
from documents.selectors import community_document, signature_request_of
from documents.services import KIND_GROUPS, documents_generate_later
from documents.signers import signers_for
from documents.signing import SignatureRefused, signature_request_send, signature_withdraw
from openleg.errors import DomainError


def _back(community):
    return redirect(reverse("portal:formation", args=[community.pk]) + "#dokumente")


@portal_action_required(PortalAction.EDIT_FORMATION)
def documents_generate_view(request, pk: int):
    community = community_for(request, pk)
    refused = not_a_post(request)
    if refused:
        return refused
    try:
        documents_generate_later(
            community=community, kinds=KIND_GROUPS["formation"], actor=request.user, door=Door.PORTAL
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Die Dokumente werden erstellt; neue Versionen erscheinen hier, sobald sie bereit sind.")
        )
    return _back(community)


def _document_action(request, pk: int, document_pk: int, act, done: str):
    """A POST on one of the community's documents: ``act(document)`` through the documents services, then back to
    the documents with ``done`` (or the refusal, named by the document's title)."""
    community = community_for(request, pk)
    document = found(community_document, user=request.user, community=community, pk=document_pk)
    refused = not_a_post(request)
    if refused:
        return refused
    try:
        act(document)
    except DomainError as error:
        messages.error(request, f"{document.title}: {error.message}")
    else:
        messages.success(request, done % {"document": document.title})
    return _back(community)


@portal_action_required(PortalAction.EDIT_FORMATION)
def document_send(request, pk: int, document_pk: int):
    def send(document):
        signature_request_send(document=document, signers=signers_for(document), actor=request.user, door=Door.PORTAL)

    return _document_action(request, pk, document_pk, send, _("%(document)s ist zur Unterschrift versandt."))


@portal_action_required(PortalAction.EDIT_FORMATION)
def document_withdraw(request, pk: int, document_pk: int):
    def withdraw(document):
        signature = signature_request_of(document=document)
        if signature is None:
            raise SignatureRefused(_("Nur laufende Unterschriftsanfragen können zurückgezogen werden."))
        signature_withdraw(request=signature, actor=request.user, door=Door.PORTAL)

    return _document_action(request, pk, document_pk, withdraw, _("%(document)s: zurückgezogen."))


@portal_action_required(PortalAction.EDIT_FORMATION)
def document_paper_signature(request, pk: int, document_pk: int):
    community = community_for(request, pk)
    document = found(community_document, user=request.user, community=community, pk=document_pk)
    form = PaperSignatureForm(request.POST, request.FILES) if request.method == "POST" else PaperSignatureForm()
    if form.is_bound and form.is_valid() and form.record(document=document, actor=request.user, door=Door.PORTAL):
        messages.success(
            request, _("«%(document)s» ist als auf Papier unterzeichnet erfasst.") % {"document": document.title}
        )
        return _back(community)
    context = {
        "community": community,
        "nav_community": community,
        "document": document,
        "recordable": paper_signature_recordable(document),
        "form": form,
    }
    return render(request, "portal/formation_paper_signature.html", context)
