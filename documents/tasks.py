import logging

from celery import shared_task

from accounts.models import User
from communities.models import Community, Door
from documents import deepsign
from documents.deepsign import DeepSignError, DeepSignNotConfigured, DeepSignRateLimited
from documents.models import SignatureRequest, SignatureRequestState
from documents.services import documents_generate
from documents.signing import signature_status_refresh

logger = logging.getLogger(__name__)


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60)
def poll_signature_requests() -> int:
    """Beat, every 15 minutes: the safety net under DeepSign's callbacks. Returns how many requests were refreshed.

    One task asks about the requests one after the other rather than fanning out, to stay under DeepSign's
    100 calls per minute; on HTTP 429 the round stops and the next one carries on.
    """
    ids = list(
        SignatureRequest.objects.filter(state=SignatureRequestState.IN_PROGRESS)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    try:
        deepsign.client()
    except DeepSignNotConfigured as error:
        logger.warning("%s requests wait for a signature, but: %s", len(ids), error.message)
        return 0
    refreshed = 0
    for pk in ids:
        try:
            _refresh(pk)
        except DeepSignRateLimited as error:
            logger.warning("Stopping this round of signature polling: %s", error.message)
            break
        except DeepSignError as error:
            logger.warning("Signature request %s not refreshed: %s", pk, error.message)
            continue
        except Exception:
            logger.exception("Signature request %s not refreshed", pk)
            continue
        refreshed += 1
    return refreshed


def _refresh(pk: int) -> None:
    request = SignatureRequest.objects.select_related("document__community").get(pk=pk)
    signature_status_refresh(request=request, door=Door.TASK)


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, acks_late=True)
def generate_documents(community_id: int, kinds: list[str], actor_id: int | None = None) -> list[int]:
    """Render and record a community's documents; safe to run twice (unchanged content keeps its version)."""
    community = Community.objects.get(pk=community_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    documents = documents_generate(community=community, kinds=kinds, actor=actor, door=Door.TASK)
    return [document.pk for document in documents]
