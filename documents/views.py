import json
import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from communities.models import Door
from documents.deepsign import DeepSignError
from documents.models import SignatureRequest
from documents.models.signatures import is_callback_token
from documents.signing import signature_status_refresh

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def deepsign_callback(request: HttpRequest, token: str) -> HttpResponse:
    """DeepSign says something changed (``eventType`` "signee-completed" or "document-completed", ``documentId``,
    ``signeeId``, ``timestamp``). Callbacks are not signed, so the body only decides whether to ask: the unguessable
    token names our request, an event about another document is refused, and the status is read back from DeepSign.
    503 when DeepSign cannot be asked, so the callback may come again."""
    if not is_callback_token(token):
        raise Http404
    signature_request = get_object_or_404(SignatureRequest.objects.select_related("document"), callback_token=token)
    event = _event(request.body)
    if event.get("documentId") not in (None, signature_request.provider_document_id):
        logger.warning("DeepSign event for document %r reached signature request %s", event["documentId"], token[:6])
        raise Http404
    if event:
        logger.info(
            "DeepSign event %r for signature request %s (signee %s, %s)",
            event.get("eventType"),
            signature_request.pk,
            event.get("signeeId"),
            event.get("timestamp"),
        )
    try:
        signature_status_refresh(request=signature_request, door=Door.API)
    except DeepSignError as error:
        logger.warning("DeepSign callback for signature request %s: %s", signature_request.pk, error.message)
        return HttpResponse(status=503)
    return HttpResponse(status=204)


def _event(body: bytes) -> dict:
    """DeepSign's event, or nothing when the body is no JSON object."""
    try:
        event = json.loads(body)
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}
