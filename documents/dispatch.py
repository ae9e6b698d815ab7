"""Sending a run's invoices, credit statements and credit notes by e-mail through the outbox (``Dispatch``).

Exactly once comes from the database: the first dispatch of an invoice is unique, a worker claims a dispatch by a
conditional UPDATE (``pending`` → ``sending``) before it sends, and a resend is an explicit new row. Errors that can
pass (the server, the network) are retried by the task with backoff, ``MAX_ATTEMPTS`` tries in all, then the
dispatch is ``failed`` with the reason; nothing is lost, and staff can retry it.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.actors import recorded_user
from billing.models import BillingRun, Invoice, InvoiceKind, RunStatus
from communities.models import Door
from documents import mail
from documents.invoice_mail import invoice_mail
from documents.invoice_pdfs import pdf_progress
from documents.models import Dispatch, DispatchKind, DispatchStatus
from openleg.errors import DomainError
from openleg.periods import utc_now

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STUCK_AFTER = timedelta(minutes=15)


class DispatchRefused(DomainError):
    code = "dispatch_refused"


@dataclass
class DispatchPlan:
    """What ``invoices_dispatch`` queued (or would queue): invoices with an address, without one, and those that
    already have their dispatch (in whatever state)."""

    sendable: list[Invoice] = field(default_factory=list)
    not_sendable: list[Invoice] = field(default_factory=list)
    already: list[Dispatch] = field(default_factory=list)


def _candidates(run: BillingRun):
    invoices = Invoice.objects.filter(run=run).select_related("participant", "community").order_by("number")
    if run.status == RunStatus.CANCELLED:
        # the credit notes of what participants received; an invoice never sent is not cancelled by e-mail either
        sent = Dispatch.objects.filter(status=DispatchStatus.SENT).values("invoice")
        return invoices.filter(kind=InvoiceKind.CREDIT_NOTE, corrects__in=sent)
    return invoices


def _check_dispatchable(run: BillingRun) -> None:
    if run.status not in (RunStatus.ISSUED, RunStatus.CANCELLED) or not Invoice.objects.filter(run=run).exists():
        raise DispatchRefused(
            _("Der Lauf %(run)s hat keine ausgestellten Rechnungen (Status: %(status)s); es gibt nichts zu versenden.")
            % {"run": run, "status": run.get_status_display()}
        )
    progress = pdf_progress(run=run)
    if not progress.complete:
        raise DispatchRefused(
            _(
                "Die PDFs des Laufs %(run)s sind noch nicht vollständig (%(done)s von %(total)s erstellt); "
                "versendet wird erst, wenn alle bereit sind."
            )
            % {"run": run, "done": progress.done, "total": progress.total}
        )


def dispatch_plan(*, run: BillingRun) -> DispatchPlan:
    """Who would get an e-mail now, who cannot, and who already has a dispatch."""
    invoices = list(_candidates(run))
    existing = {
        dispatch.invoice_id: dispatch
        for dispatch in Dispatch.objects.filter(invoice__in=invoices, resend_of__isnull=True).select_related("invoice")
    }
    plan = DispatchPlan()
    for invoice in invoices:
        if invoice.pk in existing:
            plan.already.append(existing[invoice.pk])
        elif invoice.participant.email:
            plan.sendable.append(invoice)
        else:
            plan.not_sendable.append(invoice)
    return plan


def invoices_dispatch(*, run: BillingRun, actor, door: Door | str, dry_run: bool = False) -> DispatchPlan:
    """Put every invoice of the run that has no dispatch yet into the outbox and queue the e-mails after commit;
    participants without an e-mail address are recorded as not sendable (to be printed)."""
    run = BillingRun.objects.select_related("community").get(pk=run.pk)  # its status as it is now
    _check_dispatchable(run)
    if dry_run:
        return dispatch_plan(run=run)
    with transaction.atomic():
        BillingRun.objects.select_for_update().get(pk=run.pk)  # one dispatcher per run at a time
        plan = dispatch_plan(run=run)
        now = utc_now()
        rows = [
            _new_dispatch(invoice, actor=actor, door=door, now=now, email=invoice.participant.email)
            for invoice in plan.sendable
        ] + [_new_dispatch(invoice, actor=actor, door=door, now=now, email="") for invoice in plan.not_sendable]
        created = Dispatch.objects.bulk_create(rows)
        _queue([dispatch.pk for dispatch in created if dispatch.status == DispatchStatus.PENDING])
    return plan


def _new_dispatch(invoice: Invoice, *, actor, door, now, email: str, resend_of: Dispatch | None = None) -> Dispatch:
    return Dispatch(
        kind=DispatchKind.INVOICE,
        invoice=invoice,
        community_id=invoice.community_id,
        recipient_name=invoice.recipient["name"],
        recipient_email=email,
        status=DispatchStatus.PENDING if email else DispatchStatus.NOT_SENDABLE,
        last_error="" if email else _("Keine E-Mail-Adresse hinterlegt: bitte ausdrucken und per Post senden."),
        created_by=recorded_user(actor),
        door=door,
        status_changed_at=now,
        resend_of=resend_of,
    )


def _queue(ids: list[int]) -> None:
    from documents.tasks import send_dispatch

    if ids:
        transaction.on_commit(lambda: [send_dispatch.delay(pk) for pk in ids])


def dispatches_retry_failed(*, run: BillingRun, actor, door: Door | str) -> int:
    """Put the run's failed dispatches back into the queue with a fresh count of tries; returns how many."""
    with transaction.atomic():
        ids = list(Dispatch.objects.filter(invoice__run=run, status=DispatchStatus.FAILED).values_list("pk", flat=True))
        Dispatch.objects.filter(pk__in=ids, status=DispatchStatus.FAILED).update(
            status=DispatchStatus.PENDING, attempts=0, status_changed_at=utc_now()
        )
        _queue(ids)
    logger.info("%s failed dispatches of run %s queued again by %s via %s", len(ids), run.pk, actor, door)
    return len(ids)


def dispatch_resend(*, dispatch: Dispatch, actor, door: Door | str) -> Dispatch:
    """Send an invoice once more, on explicit request: a new dispatch to the participant's current address."""
    if dispatch.status in (DispatchStatus.PENDING, DispatchStatus.SENDING):
        raise DispatchRefused(_("%(dispatch)s wird noch versandt; bitte warten.") % {"dispatch": dispatch})
    invoice = dispatch.invoice
    email = invoice.participant.email
    if not email:
        raise DispatchRefused(
            _("%(participant)s hat keine E-Mail-Adresse; %(invoice)s kann nur ausgedruckt werden.")
            % {"participant": invoice.participant, "invoice": invoice}
        )
    try:
        with transaction.atomic():
            again = _new_dispatch(invoice, actor=actor, door=door, now=utc_now(), email=email, resend_of=dispatch)
            again.save()
            _queue([again.pk])
    except IntegrityError as error:
        raise DispatchRefused(
            _("%(dispatch)s wurde bereits erneut versandt; bitte den neueren Versand verwenden.")
            % {"dispatch": dispatch}
        ) from error
    return again


def _set(pk: int, *, from_status: str, **changes) -> bool:
    return bool(Dispatch.objects.filter(pk=pk, status=from_status).update(status_changed_at=utc_now(), **changes))


def dispatch_send(*, dispatch_id: int) -> str:
    """Claim a pending dispatch and send it. Returns the outcome: ``sent``, ``failed``, ``retry`` (an error that can
    pass, tries left: the caller retries later) or ``skipped`` (not pending: another worker has it or it is done)."""
    claimed = _set(
        dispatch_id, from_status=DispatchStatus.PENDING, status=DispatchStatus.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    dispatch = Dispatch.objects.select_related("invoice__community", "invoice__pdf").get(pk=dispatch_id)
    try:
        message_id = mail.send(invoice_mail(dispatch.invoice, to=dispatch.recipient_email))
    except mail.TRANSIENT_ERRORS as error:
        reason = _("Versuch %(attempt)s von %(max)s: %(error)s") % {
            "attempt": dispatch.attempts,
            "max": MAX_ATTEMPTS,
            "error": _smtp_reason(error),
        }
        if dispatch.attempts >= MAX_ATTEMPTS:
            _set(dispatch_id, from_status=DispatchStatus.SENDING, status=DispatchStatus.FAILED, last_error=reason)
            return "failed"
        _set(dispatch_id, from_status=DispatchStatus.SENDING, status=DispatchStatus.PENDING, last_error=reason)
        return "retry"
    except Exception as error:
        # not something that passes by itself (e.g. the PDF is missing): no retry, staff see why
        logger.exception("Dispatch %s failed", dispatch_id)
        reason = _("Nicht versandt: %(error)s") % {"error": error}
        _set(dispatch_id, from_status=DispatchStatus.SENDING, status=DispatchStatus.FAILED, last_error=reason)
        return "failed"
    _set(
        dispatch_id,
        from_status=DispatchStatus.SENDING,
        status=DispatchStatus.SENT,
        sent_at=utc_now(),
        message_id=message_id,
        last_error="",
    )
    return "sent"


def _smtp_reason(error: Exception) -> str:
    """The server's own words where it gave some (``SMTPResponseException``), else the error's text."""
    code, text = getattr(error, "smtp_code", None), getattr(error, "smtp_error", None)
    if code and text:
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return _("Der Mailserver antwortete %(code)s %(text)s") % {"code": code, "text": text}
    return str(error) or type(error).__name__


def dispatches_requeue_stuck(*, older_than: timedelta = STUCK_AFTER) -> int:
    """Beat: queue again what waited or was being sent for longer than ``older_than`` (a lost task, a worker that
    died). Returns how many were queued."""
    cutoff = utc_now() - older_than
    stuck = Dispatch.objects.filter(
        status__in=(DispatchStatus.PENDING, DispatchStatus.SENDING), status_changed_at__lt=cutoff
    )
    ids = []
    for pk, status in stuck.values_list("pk", "status"):
        again = _set(
            pk,
            from_status=status,
            status=DispatchStatus.PENDING,
            **({"last_error": _("Versand unterbrochen; erneut eingereiht.")} if status == "sending" else {}),
        )
        if again:
            ids.append(pk)
    _queue(ids)
    return len(ids)
