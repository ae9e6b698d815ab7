"""The read-only gate: what an unpaid subscription stops (new work), and the banner that says so.

Without a subscription record (no Stripe, a utility that never subscribed) everything stays allowed. A past-due
subscription keeps everything working for ``SUBSCRIPTION_GRACE_DAYS``; after that, after a paid subscription ended
and after a trial ended without a subscription, the portal refuses new communities, meter imports and billing runs,
while every page and export stays open. ``subscriptions.sweeps`` churns the first kind daily.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.utils import timezone
from django.utils.translation import gettext as _

from openleg.formats import format_day
from subscriptions.models import UtilitySubscription

UNPAID_STATUSES = ("past_due", "unpaid")
# A subscription that ended, or (paused) a trial that ended without a payment method.
ENDED_STATUSES = ("canceled", "paused")


def grace_end(record: UtilitySubscription) -> datetime | None:
    if record.past_due_since is None:
        return None
    return record.past_due_since + timedelta(days=settings.SUBSCRIPTION_GRACE_DAYS)


def grace_ended(record: UtilitySubscription, *, now: datetime | None = None) -> bool:
    end = grace_end(record)
    return end is not None and (now or timezone.now()) > end


def _record(utility) -> UtilitySubscription | None:
    if utility is None:
        return None
    return UtilitySubscription.objects.filter(utility=utility).first()


def _trial_over(record: UtilitySubscription, now: datetime | None) -> bool:
    return record.trial_end is not None and record.trial_end <= (now or timezone.now())


def _blocked(record: UtilitySubscription | None, now: datetime | None) -> bool:
    if record is None:
        return False
    if record.status in UNPAID_STATUSES:
        return grace_ended(record, now=now)
    return record.status in ENDED_STATUSES and (record.has_paid or _trial_over(record, now))


def new_work_allowed(utility, *, now: datetime | None = None) -> bool:
    """False only when the subscription is past due beyond the grace period, or ended after a payment or a trial."""
    return not _blocked(_record(utility), now)


def refused_message(record: UtilitySubscription | None) -> str:
    if record is not None and not record.has_paid and record.status in ENDED_STATUSES:
        return _(
            "Ihre Testphase ist abgelaufen: Neue Gemeinschaften, Importe und Abrechnungen sind gesperrt. "
            "Alle Daten bleiben lesbar und exportierbar. Unter «Abonnement» können Sie ein Abonnement abschliessen."
        )
    return _(
        "Ihr Abonnement ist nicht bezahlt: Neue Gemeinschaften, Importe und Abrechnungen sind gesperrt. "
        "Alle Daten bleiben lesbar und exportierbar. Bitte aktualisieren Sie die Zahlungsangaben unter «Abonnement»."
    )


def grace_banner(utility, *, now: datetime | None = None) -> str:
    """The portal's banner: the last day of the grace period while it runs, what is refused after it; else empty."""
    record = _record(utility)
    if _blocked(record, now):
        return refused_message(record)
    if record is None or record.status not in UNPAID_STATUSES or record.past_due_since is None:
        return ""
    last_day = format_day(grace_end(record))
    return _(
        "Die Zahlung Ihres Abonnements ist ausstehend. Bitte aktualisieren Sie die Zahlungsangaben bis zum "
        "%(date)s; danach können keine neuen Gemeinschaften, Importe und Abrechnungen mehr gestartet werden."
    ) % {"date": last_day}


def new_work_refused(request) -> bool:
    """For portal doors that start new work: True, with the message queued, when the user's utility may not."""
    record = _record(getattr(request.user, "utility", None))
    if not _blocked(record, None):
        return False
    messages.error(request, refused_message(record))
    return True


def subscription_banner(request) -> dict:
    """Context processor: ``subscription_banner`` for templates/portal/base.html."""
    user = getattr(request, "user", None)
    utility = getattr(user, "utility", None) if user is not None and user.is_authenticated else None
    return {"subscription_banner": grace_banner(utility) if utility is not None else ""}
