import logging

from celery import group, shared_task

from accounts.models import User
from billing.models import BillingRun
from communities.models import Community, Door
from documents import deepsign, dispatch, invoice_pdfs
from documents.deepsign import DeepSignError, DeepSignNotConfigured, DeepSignTemporarilyUnavailable
from documents.models import Dispatch, SignatureRequest, SignatureRequestState
from documents.services import documents_generate
from documents.signing import signature_status_refresh
from payments.models import ReminderRun

logger = logging.getLogger(__name__)


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60)
def poll_signature_requests() -> int:
    """Beat, every 15 minutes: the safety net under DeepSign's callbacks. Returns how many requests were refreshed.

    One task asks about the requests one after the other rather than fanning out, to keep the load on DeepSign
    low; when DeepSign says it is busy or in maintenance (429, 503) the round stops and the next one carries on.
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
        except DeepSignTemporarilyUnavailable as error:
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
def generate_documents(
    community_id: int, kinds: list[str], actor_id: int | None = None, door: str = Door.TASK
) -> list[int]:
    """Render and record a community's documents; safe to run twice (unchanged content keeps its version). ``door``
    is the one the request came through (the admin's button), recorded on each document."""
    community = Community.objects.get(pk=community_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    documents = documents_generate(community=community, kinds=kinds, actor=actor, door=door)
    return [document.pk for document in documents]


@shared_task(time_limit=5 * 60, soft_time_limit=4 * 60, acks_late=True)
def render_run_pdfs(run_id: int) -> int:
    """Queue the rendering of a run's missing invoice PDFs as a group of chunk tasks, so that several workers share
    a large month. Returns how many PDFs were missing."""
    run = BillingRun.objects.get(pk=run_id)
    ids = invoice_pdfs.missing_pdf_ids(run=run)
    size = invoice_pdfs.CHUNK_SIZE
    if ids:
        group(render_invoice_pdfs.s(ids[start : start + size]) for start in range(0, len(ids), size)).apply_async()
    return len(ids)


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, acks_late=True)
def render_invoice_pdfs(invoice_ids: list[int]) -> int:
    """Render one chunk; safe to run twice (an invoice with a PDF is skipped). Returns how many were stored."""
    return len(invoice_pdfs.invoice_pdfs_render(invoice_ids=invoice_ids))


@shared_task(time_limit=2 * 60, soft_time_limit=90, acks_late=True)
def send_dispatch(dispatch_id: int) -> str:
    """Send one e-mail of the outbox; safe to run twice (the dispatch is claimed first). An error that can pass is
    tried again later with backoff (1, 2, 4, 8 minutes) by queueing this task anew: the tries are counted in the
    database, not in Celery's retry state. After the last try the dispatch is failed with the reason."""
    outcome = dispatch.dispatch_send(dispatch_id=dispatch_id)
    if outcome == "retry":
        attempts = Dispatch.objects.values_list("attempts", flat=True).get(pk=dispatch_id)
        send_dispatch.apply_async((dispatch_id,), countdown=60 * 2 ** (attempts - 1))
    return outcome


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, acks_late=True)
def send_reminders(reminder_run_id: int, door: str = Door.TASK) -> int:
    """After a reminder list's approval: render its missing PDFs and put every reminder into the outbox (e-mails
    queued, the not sendable listed for printing). Safe to run twice: rendered PDFs and existing dispatches are kept.
    Returns how many e-mails were queued."""
    run = ReminderRun.objects.get(pk=reminder_run_id)
    plan = dispatch.reminders_render_and_dispatch(reminder_run=run, door=door)
    return len(plan.sendable)


@shared_task(time_limit=5 * 60, soft_time_limit=4 * 60)
def requeue_stuck_dispatches() -> int:
    """Beat, every 5 minutes: queue again dispatches waiting for over 15 minutes; fail those cut off while sending."""
    return dispatch.dispatches_requeue_stuck()
