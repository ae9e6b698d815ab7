"""Payment reminders: which invoices are overdue, a proposed list per community, approval by a person.

An invoice is reminded ``REMINDER_AFTER_DAYS`` days after it fell due, and again that many days after the due date
of its last reminder, up to ``REMINDER_MAX_LEVEL`` reminders. The community's fee applies from the second reminder
on and is booked on the invoice when the list is approved, so that the amount due (open amount plus fee) is what
the reminder's QR-bill asks for and what a payment of it settles.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.actors import recorded_user
from billing.models import Invoice, InvoiceKind, SettlementKind
from billing.receivables import open_amounts, settlement_book
from communities.models import Community
from openleg.errors import DomainError
from openleg.formats import format_chf
from openleg.periods import utc_now
from payments.models import Reminder, ReminderRun, ReminderRunStatus
from payments.signals import reminders_approved


@dataclass(frozen=True)
class DueReminder:
    invoice: Invoice
    level: int
    open_chf: Decimal
    fee_chf: Decimal
    due_date: date
    days_overdue: int


def reminders_due(*, community: Community, as_of: date) -> list[DueReminder]:
    """Every invoice of the community that a reminder is due for on ``as_of`` (a fixed number of queries)."""
    after = timedelta(days=settings.REMINDER_AFTER_DAYS)
    invoices = list(
        Invoice.objects.filter(
            community=community, kind=InvoiceKind.INVOICE, credited_by__isnull=True, due_date__lte=as_of - after
        )
        .select_related("participant")
        .annotate(
            last_level=Max("reminders__level", filter=Q(reminders__run__status=ReminderRunStatus.APPROVED)),
        )
        .order_by("number")
    )
    amounts = open_amounts(invoice.pk for invoice in invoices)
    last_due = dict(
        Reminder.objects.filter(invoice__in=invoices, run__status=ReminderRunStatus.APPROVED)
        .order_by("invoice", "level")
        .values_list("invoice", "due_date")
    )
    due = []
    for invoice in invoices:
        level = (invoice.last_level or 0) + 1
        reference = last_due.get(invoice.pk, invoice.due_date)
        if amounts[invoice.pk] <= 0 or level > settings.REMINDER_MAX_LEVEL or as_of < reference + after:
            continue
        due.append(
            DueReminder(
                invoice=invoice,
                level=level,
                open_chf=amounts[invoice.pk],
                fee_chf=community.reminder_fee_chf if level >= 2 else Decimal("0.00"),
                due_date=as_of + timedelta(days=settings.REMINDER_PAYMENT_DAYS),
                days_overdue=(as_of - invoice.due_date).days,
            )
        )
    return due


def reminder_run_propose(*, community: Community, as_of: date, actor, door: str) -> ReminderRun:
    """A list of the reminders due, for a person to approve; nothing is sent or booked yet."""
    waiting = ReminderRun.objects.filter(community=community, status=ReminderRunStatus.DRAFT).first()
    if waiting is not None:
        raise DomainError(
            _("Für %(community)s wartet bereits ein Mahnvorschlag vom %(date)s auf die Freigabe.")
            % {"community": community, "date": date_format(waiting.as_of, "d.m.Y")},
            code="reminder_run_waiting",
        )
    due = reminders_due(community=community, as_of=as_of)
    if not due:
        raise DomainError(
            _("%(community)s hat am %(date)s keine Rechnung, die gemahnt werden muss.")
            % {"community": community, "date": date_format(as_of, "d.m.Y")},
            code="nothing_due",
        )
    try:
        with transaction.atomic():
            run = ReminderRun.objects.create(
                community=community, as_of=as_of, created_by=recorded_user(actor), door=door
            )
            Reminder.objects.bulk_create(
                Reminder(
                    run=run,
                    invoice=item.invoice,
                    level=item.level,
                    open_chf=item.open_chf,
                    fee_chf=item.fee_chf,
                    due_date=item.due_date,
                )
                for item in due
            )
    except IntegrityError as error:  # another door proposed the same list at the same moment
        raise DomainError(
            _("Für %(community)s wurde soeben ein Mahnvorschlag erstellt.") % {"community": community},
            code="reminder_run_waiting",
        ) from error
    return run


def _claim(run: ReminderRun, status: str, actor) -> None:
    """Exactly once: of two clicks, one moves the draft on."""
    claimed = ReminderRun.objects.filter(pk=run.pk, status=ReminderRunStatus.DRAFT).update(
        status=status, decided_at=utc_now(), decided_by=recorded_user(actor)
    )
    if not claimed:
        raise DomainError(_("Über diesen Mahnvorschlag wurde bereits entschieden."), code="reminder_run_decided")
    run.refresh_from_db()


def reminder_run_approve(*, run: ReminderRun, actor, door: str) -> ReminderRun:
    """Book the fees and mark the list approved; documents renders and sends the reminders after commit.

    Refused when an invoice of the list was paid or otherwise settled since the proposal: the list would ask for
    the wrong amount."""
    with transaction.atomic():
        _claim(run, ReminderRunStatus.APPROVED, actor)
        reminders = list(run.reminders.select_related("invoice").order_by("invoice__number"))
        amounts = open_amounts(reminder.invoice_id for reminder in reminders)
        changed = [r for r in reminders if amounts[r.invoice_id] != r.open_chf]
        if changed:
            raise DomainError(
                _(
                    "Seit dem Vorschlag hat sich der offene Betrag geändert bei: %(items)s. Bitte verwerfen Sie den "
                    "Vorschlag und erstellen Sie einen neuen."
                )
                % {
                    "items": ", ".join(
                        _("%(invoice)s (jetzt CHF %(now)s statt %(then)s)")
                        % {
                            "invoice": r.invoice.display_number,
                            "now": format_chf(amounts[r.invoice_id]),
                            "then": format_chf(r.open_chf),
                        }
                        for r in changed
                    )
                },
                code="reminder_run_stale",
            )
        for reminder in reminders:
            if reminder.fee_chf:
                reminder.fee_settlement = settlement_book(
                    invoice=reminder.invoice,
                    kind=SettlementKind.REMINDER_FEE,
                    amount=reminder.fee_chf,
                    booked_on=run.as_of,
                    actor=actor,
                    door=door,
                    note=_("%(level)s. Mahnung") % {"level": reminder.level},
                )
                reminder.save(update_fields=["fee_settlement"])
        reminders_approved.send(sender=ReminderRun, reminder_run=run, door=door)
    return run


def reminder_run_discard(*, run: ReminderRun, actor, door: str) -> ReminderRun:
    """Discard a proposal; its reminders go with it (they were never sent or booked)."""
    with transaction.atomic():
        _claim(run, ReminderRunStatus.DISCARDED, actor)
        run.reminders.all().delete()
    return run
