"""Electronic signatures: sending a document to DeepSign, reading the outcome back, withdrawing.

Nothing DeepSign sends on its own is trusted: a callback only makes us ask for the status, and a signed PDF is
accepted only when it begins with exactly the bytes we sent, because a PAdES signature is an incremental update
appended to the original file. A request DeepSign no longer keeps (signers have 30 days; files are deleted 14 days
after completion) ends in a final state, so that the document can be sent again or signed on paper.
"""

import hashlib
import logging
from datetime import datetime, timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.actors import recorded_user
from communities.audit import audit_record, snapshot
from communities.models import Door
from documents import deepsign
from documents.deepsign import DeepSignClient, DeepSignDocumentGone, DeepSignError, RemoteStatus
from documents.models import Document, DocumentKind, SignatureRequest, SignatureRequestState, SignatureState
from documents.models.signatures import new_callback_token
from openleg.errors import DomainError
from openleg.periods import utc_now

logger = logging.getLogger(__name__)

SIGNABLE_KINDS = (DocumentKind.AGREEMENT, DocumentKind.CONTRACT, DocumentKind.REGISTRATION)
_SETTLED = {
    deepsign.SIGNED: (SignatureRequestState.SIGNED, SignatureState.SIGNED),
    deepsign.DECLINED: (SignatureRequestState.DECLINED, SignatureState.DECLINED),
    deepsign.WITHDRAWN: (SignatureRequestState.WITHDRAWN, SignatureState.WITHDRAWN),
}
# A day more than DeepSign's signing time, so that a signature on the last day is not cut off by our clock.
_EXPIRED_AFTER = timedelta(days=deepsign.SIGNING_DAYS + 1)


class SignatureRefused(DomainError):
    code = "signature_refused"


# --- sending -------------------------------------------------------------------------------------------------------


def signature_request_send(*, document: Document, signers: list[dict], actor, door: Door | str) -> SignatureRequest:
    """Send ``document`` to DeepSign for ``signers`` ({name, email}, in signing order).

    All or nothing: the calls to DeepSign run inside the transaction, so when one fails nothing is recorded as sent.
    A failure after the upload leaves a draft at DeepSign that nobody is asked to sign.
    """
    signers = _checked_signers(signers)
    with transaction.atomic():
        document = Document.objects.select_for_update(of=("self",)).select_related("community").get(pk=document.pk)
        _check_sendable(document)
        pdf = _sent_pdf(document)
        client = deepsign.client()
        request = _fresh_request(document, signers, actor)
        request.provider_document_id = _start_signing(client, document, pdf, signers, request.callback_token)
        request.save()
        document_state_set(document, SignatureState.OUT_FOR_SIGNATURE, actor=actor, door=door)
    return request


def _checked_signers(signers: list[dict]) -> list[dict]:
    if not signers:
        raise SignatureRefused(_("Bitte geben Sie mindestens eine unterzeichnende Person an."))
    checked: list[dict] = []
    for signer in signers:
        name, email = str(signer.get("name") or "").strip(), str(signer.get("email") or "").strip().lower()
        if not name:
            raise SignatureRefused(_("Bitte geben Sie für jede unterzeichnende Person einen Namen an."))
        try:
            validate_email(email)
        except ValidationError as error:
            raise SignatureRefused(_("«%(email)s» ist keine gültige E-Mail-Adresse.") % {"email": email}) from error
        if any(known["email"] == email for known in checked):
            raise SignatureRefused(_("Die E-Mail-Adresse «%(email)s» ist doppelt angegeben.") % {"email": email})
        checked.append({"name": name, "email": email})
    return checked


def _check_sendable(document: Document) -> None:
    signable_check(
        document,
        wrong_kind=_(
            "Elektronisch unterzeichnet werden nur die Gemeinschaftsvereinbarung, Teilnehmerverträge und die "
            "Anmeldung beim Netzbetreiber."
        ),
        out_for_signature=_("Dieses Dokument ist bereits zur Unterzeichnung versandt."),
        newer_version=_("Es gibt eine neuere Version dieses Dokuments; bitte senden Sie diese."),
    )


def _sent_pdf(document: Document) -> bytes:
    pdf = _stored_bytes(document)
    if hashlib.sha256(pdf).hexdigest() != document.sha256:
        raise SignatureRefused(_("Die gespeicherte PDF-Datei stimmt nicht mit ihrem Hash überein; bitte neu erzeugen."))
    return pdf


def _stored_bytes(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def _fresh_request(document: Document, signers: list[dict], actor) -> SignatureRequest:
    """The document's request, new or reused after a withdrawal, decline or failure, with a new callback token."""
    request = SignatureRequest.objects.filter(document=document).first() or SignatureRequest(document=document)
    request.callback_token = new_callback_token()  # callbacks for an earlier round no longer find anything
    request.state = SignatureRequestState.IN_PROGRESS
    request.signers = signers
    request.sent_sha256 = document.sha256
    request.signed_file = ""
    request.signed_sha256 = ""
    request.requested_at = utc_now()
    request.requested_by = recorded_user(actor)
    request.completed_at = None
    request.last_checked_at = None
    request.last_status = {}
    request.error = ""
    return request


def _start_signing(client: DeepSignClient, document: Document, pdf: bytes, signers: list[dict], token: str) -> str:
    provider_id = client.upload(
        pdf=pdf,
        filename=document.filename,
        initiator=document.community.name,
        comment=document.title,
        callback_url=callback_url(client.config.public_url, token),
    )
    for order, signer in enumerate(signers):
        invitation = _("Guten Tag %(name)s, bitte unterzeichnen Sie «%(title)s».") % {
            "name": signer["name"],
            "title": document.title,
        }
        client.add_signee(provider_id, email=signer["email"], comment=invitation, sign_order=order)
    client.start(provider_id)
    return provider_id


def callback_url(public_url: str, token: str) -> str:
    return f"{public_url}{reverse('documents:deepsign-callback', args=[token])}"


# --- reading the outcome -------------------------------------------------------------------------------------------


def signature_status_refresh(*, request: SignatureRequest, door: Door | str = Door.TASK) -> SignatureRequest:
    """Ask DeepSign where a running request stands and record it; a signed PDF is stored only once verified.

    A failed call is noted on the request (``error``) and raised; a settled request is left alone. A document
    DeepSign no longer keeps, or one still unsigned after the signing time, ends the request.
    """
    if request.state != SignatureRequestState.IN_PROGRESS:
        return request
    try:
        client = deepsign.client()
        status = client.status(request.provider_document_id)
    except DeepSignDocumentGone as gone:
        return _end(request, SignatureRequestState.EXPIRED, gone.message, door=door)
    except DeepSignError as error:
        _note_failed_check(request, error)
        raise
    try:
        signed = client.download(status.document_url) if status.outcome == deepsign.SIGNED else b""
    except DeepSignDocumentGone as gone:
        return _end(request, SignatureRequestState.FAILED, gone.message, door=door, status=status)
    except DeepSignError as error:
        _note_failed_check(request, error)
        raise
    if (
        status.outcome == deepsign.PENDING
        and request.requested_at
        and utc_now() > request.requested_at + _EXPIRED_AFTER
    ):
        message = _("Die Unterschriftsfrist von %(days)s Tagen bei DeepSign ist abgelaufen.") % {
            "days": deepsign.SIGNING_DAYS
        }
        return _end(request, SignatureRequestState.EXPIRED, message, door=door, status=status)
    with transaction.atomic():
        request = _locked(request)
        if request.state == SignatureRequestState.IN_PROGRESS:
            request.last_status, request.last_checked_at, request.error = status.raw, utc_now(), ""
            _apply(request, status, signed, door=door)
            request.save()
    return request


def _end(
    request: SignatureRequest, state: str, reason: str, *, door: Door | str, status: RemoteStatus | None = None
) -> SignatureRequest:
    """Close a request that can no longer be signed at DeepSign; the document is unsigned again."""
    with transaction.atomic():
        request = _locked(request)
        if request.state == SignatureRequestState.IN_PROGRESS:
            request.state, request.error = state, reason
            request.completed_at = request.last_checked_at = utc_now()
            if status is not None:
                request.last_status = status.raw
            document_state_set(request.document, SignatureState.UNSIGNED, actor=None, door=door)
            request.save()
    return request


def _note_failed_check(request: SignatureRequest, error: DeepSignError) -> None:
    request.error, request.last_checked_at = error.message, utc_now()
    SignatureRequest.objects.filter(pk=request.pk).update(error=request.error, last_checked_at=request.last_checked_at)


def _locked(request: SignatureRequest) -> SignatureRequest:
    return (
        SignatureRequest.objects.select_for_update(of=("self",))
        .select_related("document__community")
        .get(pk=request.pk)
    )


def _apply(request: SignatureRequest, status: RemoteStatus, signed: bytes, *, door: Door | str) -> None:
    if status.outcome == deepsign.SIGNED:
        _accept_signed(request, status, signed, door=door)
    elif status.outcome in _SETTLED:
        _settle(request, status.outcome, status.completed_at or utc_now(), actor=None, door=door)


def _accept_signed(request: SignatureRequest, status: RemoteStatus, signed: bytes, *, door: Door | str) -> None:
    problem = signed_pdf_problem(signed=signed, sent=_stored_bytes(request.document), sent_sha256=request.sent_sha256)
    if problem:
        logger.warning("Signed PDF of signature request %s rejected: %s", request.pk, problem)
        request.state = SignatureRequestState.FAILED
        request.error = _("Das unterzeichnete PDF stimmt nicht mit dem gesendeten Dokument überein: %(reason)s.") % {
            "reason": problem
        }
        document_state_set(request.document, SignatureState.UNSIGNED, actor=None, door=door)
        return
    request.signed_file.save(
        f"{Path(request.document.filename).stem}-unterzeichnet.pdf", ContentFile(signed), save=False
    )
    request.signed_sha256 = hashlib.sha256(signed).hexdigest()
    _settle(request, deepsign.SIGNED, status.completed_at or utc_now(), actor=None, door=door)


def signed_pdf_problem(*, signed: bytes, sent: bytes, sent_sha256: str) -> str:
    """Why ``signed`` is not a signed version of exactly ``sent`` (empty when it is)."""
    if not signed.startswith(b"%PDF-"):
        return _("die Datei ist kein PDF")
    prefix = signed[: len(sent)]
    found = hashlib.sha256(prefix).hexdigest()
    if prefix != sent or found != sent_sha256:
        return _("es beginnt nicht mit den gesendeten Bytes (SHA-256 gesendet %(sent)s, gefunden %(found)s)") % {
            "sent": sent_sha256,
            "found": found,
        }
    # Every PDF signature dictionary carries the byte range it covers; an appended update without one signs nothing.
    if b"/ByteRange" not in signed[len(sent) :]:
        return _("es wurde keine Unterschrift angefügt")
    return ""


# --- withdrawing ---------------------------------------------------------------------------------------------------


def signature_withdraw(*, request: SignatureRequest, actor, door: Door | str) -> SignatureRequest:
    """Withdraw a running request at DeepSign; when DeepSign refuses, nothing changes here."""
    with transaction.atomic():
        request = _locked(request)
        if request.state != SignatureRequestState.IN_PROGRESS:
            raise SignatureRefused(_("Nur laufende Unterschriftsanfragen können zurückgezogen werden."))
        deepsign.client().withdraw(request.provider_document_id)
        _settle(request, deepsign.WITHDRAWN, utc_now(), actor=actor, door=door)
        request.save()
    return request


# --- shared --------------------------------------------------------------------------------------------------------


def _settle(request: SignatureRequest, outcome: str, when: datetime, *, actor, door: Door | str) -> None:
    request.state, document_state = _SETTLED[outcome]
    request.completed_at = when
    document_state_set(request.document, document_state, actor=actor, door=door)


def signable_check(document: Document, *, wrong_kind: str, out_for_signature: str, newer_version: str) -> None:
    """Refuse unless ``document`` is the latest version of a kind that is signed, and neither signed nor out for
    signature. Every way of signing (DeepSign, paper) asks this; each says in its own words what is wrong."""
    if document.kind not in SIGNABLE_KINDS:
        raise SignatureRefused(wrong_kind)
    if document.signature_state == SignatureState.OUT_FOR_SIGNATURE:
        raise SignatureRefused(out_for_signature)
    if document.signature_state == SignatureState.SIGNED:
        raise SignatureRefused(_("Dieses Dokument ist bereits unterzeichnet."))
    newer = Document.objects.filter(
        community_id=document.community_id, kind=document.kind, subject=document.subject, version__gt=document.version
    )
    if newer.exists():
        raise SignatureRefused(newer_version)


def document_state_set(document: Document, state: str, *, actor, door: Door | str) -> None:
    """Change the document's signature state, with an audit entry saying who and through which door."""
    before = snapshot(document)
    document.signature_state = state
    document.save(update_fields=["signature_state"])
    audit_record(instance=document, before=before, actor=actor, door=door)
