"""Sending by e-mail through the outbox (``Dispatch``): a billing run's invoices, credit statements and credit
notes, and an approved reminder list's reminders, by one mechanism; what differs per kind (which items, which PDF,
which message) is looked up in ``documents.outbox_kinds``.

Exactly once comes from the database: the first dispatch of an invoice (of a reminder) is unique, a worker claims a
dispatch by a conditional UPDATE (``pending`` → ``sending``) before it sends, and a resend is an explicit new row.
Errors that can pass (the server, the network) are retried by the task with backoff, ``MAX_ATTEMPTS`` tries in all,
then the dispatch is ``failed`` with the reason; nothing is lost, and staff can retry it.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.actors import recorded_user
from billing.models import BillingRun
from communities.models import Door
from documents import mail
from documents.models import Dispatch, DispatchStatus
from documents.outbox_kinds import KINDS, DispatchRefused, OutboxKind, kind_of, kind_of_run
from documents.reminder_pdf import reminder_pdfs_render
from openleg.periods import utc_now
from payments.models import ReminderRun

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STUCK_AFTER = timedelta(minutes=15)


@dataclass
class DispatchPlan:
    """What a list's dispatch queued (or would queue): items (invoices or reminders) with an address, without one,
    and those that already have their dispatch (in whatever state)."""

    sendable: list = field(default_factory=list)
    not_sendable: list = field(default_factory=list)
    already: list[Dispatch] = field(default_factory=list)


def dispatch_plan(*, run: BillingRun | ReminderRun) -> DispatchPlan:
    """Who would get an e-mail now, who cannot, and who already has a dispatch."""
    spec = kind_of_run(run)
    items = list(spec.candidates(run))
    existing = {
        getattr(dispatch, f"{spec.field}_id"): dispatch
        for dispatch in Dispatch.objects.filter(**{f"{spec.field}__in": items, "resend_of__isnull": True})
    }
    plan = DispatchPlan()
    for item in items:
        if item.pk in existing:
            plan.already.append(existing[item.pk])
        elif spec.invoice(item).participant.email:
            plan.sendable.append(item)
        else:
            plan.not_sendable.append(item)
    return plan


def invoices_dispatch(*, run: BillingRun, actor, door: Door | str, dry_run: bool = False) -> DispatchPlan:
    """Put every invoice of the run that has no dispatch yet into the outbox and queue the e-mails after commit;
    participants without an e-mail address are recorded as not sendable (to be printed)."""
    return list_dispatch(
        run=BillingRun.objects.select_related("community").get(pk=run.pk), actor=actor, door=door, dry_run=dry_run
    )


def reminders_dispatch(*, reminder_run: ReminderRun, actor, door: Door | str, dry_run: bool = False) -> DispatchPlan:
    """The same for the reminders of an approved list: into the outbox, e-mails queued after commit."""
    run = ReminderRun.objects.select_related("community").get(pk=reminder_run.pk)
    return list_dispatch(run=run, actor=actor, door=door, dry_run=dry_run)


def reminders_render_and_dispatch(*, reminder_run: ReminderRun, door: Door | str) -> DispatchPlan:
    """After approval: render the list's missing reminder PDFs, then send; safe to run twice. The dispatches are
    recorded as caused by whoever approved the list."""
    run = ReminderRun.objects.select_related("community", "decided_by").get(pk=reminder_run.pk)
    reminder_pdfs_render(reminder_run=run)
    return list_dispatch(run=run, actor=run.decided_by, door=door)


def reminders_send_later(*, reminder_run: ReminderRun, door: Door | str = Door.TASK) -> None:
    """Render and send an approved list's reminders in the background, after the transaction commits."""
    from documents.tasks import send_reminders

    run_id = reminder_run.pk
    transaction.on_commit(lambda: send_reminders.delay(run_id, str(door)))


def list_dispatch(*, run: BillingRun | ReminderRun, actor, door: Door | str, dry_run: bool = False) -> DispatchPlan:
    """Put every item of a list (a billing run, an approved reminder list) that has no dispatch yet into the outbox
    and queue the e-mails after commit; participants without an e-mail address are recorded as not sendable."""
    spec = kind_of_run(run)  # with the list's status as it is now
    spec.check(run)
    if dry_run:
        return dispatch_plan(run=run)
    with transaction.atomic():
        type(run).objects.select_for_update().get(pk=run.pk)  # one dispatcher per list at a time
        plan = dispatch_plan(run=run)
        now = utc_now()
        rows = [
            _new_dispatch(spec, item, actor=actor, door=door, now=now, email=spec.invoice(item).participant.email)
            for item in plan.sendable
        ] + [_new_dispatch(spec, item, actor=actor, door=door, now=now, email="") for item in plan.not_sendable]
        created = Dispatch.objects.bulk_create(rows)
        _queue([dispatch.pk for dispatch in created if dispatch.status == DispatchStatus.PENDING])
    return plan


def _new_dispatch(
    spec: OutboxKind, item, *, actor, door, now, email: str, resend_of: Dispatch | None = None
) -> Dispatch:
    invoice = spec.invoice(item)
    return Dispatch(
        kind=spec.kind,
        **{spec.field: item},
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


def dispatches_retry_failed(*, run: BillingRun | ReminderRun, actor, door: Door | str) -> int:
    """Put the list's failed dispatches back into the queue with a fresh count of tries; returns how many."""
    failed = kind_of_run(run).dispatches(run).filter(status=DispatchStatus.FAILED)
    with transaction.atomic():
        ids = list(failed.values_list("pk", flat=True))
        Dispatch.objects.filter(pk__in=ids, status=DispatchStatus.FAILED).update(
            status=DispatchStatus.PENDING, attempts=0, status_changed_at=utc_now()
        )
        _queue(ids)
    logger.info("%s failed dispatches of %r queued again by %s via %s", len(ids), run, actor, door)
    return len(ids)


def dispatch_resend(*, dispatch: Dispatch, actor, door: Door | str) -> Dispatch:
    """Send an invoice (a reminder) once more, on explicit request: a new dispatch to the participant's current
    address."""
    if dispatch.status in (DispatchStatus.PENDING, DispatchStatus.SENDING):
        raise DispatchRefused(_("%(dispatch)s wird noch versandt; bitte warten.") % {"dispatch": dispatch})
    spec, item = kind_of(dispatch), dispatch.item
    participant = spec.invoice(item).participant
    email = participant.email
    if not email:
        raise DispatchRefused(
            _("%(participant)s hat keine E-Mail-Adresse; %(invoice)s kann nur ausgedruckt werden.")
            % {"participant": participant, "invoice": item}
        )
    try:
        with transaction.atomic():
            again = _new_dispatch(spec, item, actor=actor, door=door, now=utc_now(), email=email, resend_of=dispatch)
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
    spec = KINDS[Dispatch.objects.values_list("kind", flat=True).get(pk=dispatch_id)]
    dispatch = Dispatch.objects.select_related(*spec.related).get(pk=dispatch_id)
    try:
        message_id = mail.send(spec.mail(dispatch.item, to=dispatch.recipient_email))
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
    """Beat: queue again what has waited for longer than ``older_than`` (a lost task). Returns how many were queued.

    A dispatch left "sending" that long lost its worker while handing the e-mail to the mail server: whether it
    arrived is unknown, so it is failed with that reason for staff to check and resend, never sent a second time
    on its own."""
    cutoff = utc_now() - older_than
    cut_off = Dispatch.objects.filter(status=DispatchStatus.SENDING, status_changed_at__lt=cutoff)
    reason = _(
        "Versand unterbrochen, während die E-Mail dem Mailserver übergeben wurde: ob sie ankam, ist unbekannt. "
        "Nicht automatisch wiederholt, damit niemand sie doppelt erhält; bitte prüfen und bei Bedarf erneut senden."
    )
    for pk in cut_off.values_list("pk", flat=True):
        _set(pk, from_status=DispatchStatus.SENDING, status=DispatchStatus.FAILED, last_error=reason)
    waiting = Dispatch.objects.filter(status=DispatchStatus.PENDING, status_changed_at__lt=cutoff)
    ids = [pk for pk in waiting.values_list("pk", flat=True) if _set(pk, from_status=DispatchStatus.PENDING)]
    _queue(ids)
    return len(ids)

