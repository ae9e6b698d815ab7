"""When a step of a history happened: now, or, for a history recorded afterwards (a paper file taken over, the
demo), an earlier moment that keeps the history in order."""

from datetime import datetime

from django.utils.translation import gettext as _

from openleg.errors import DomainError
from openleg.periods import ZURICH, as_utc, utc_now


def step_moment(at: datetime | None, *, latest: datetime | None) -> datetime:
    """``at`` in UTC (now when ``None``); refused when it lies in the future or before the ``latest`` step."""
    now = utc_now()
    if at is None:
        return now
    at = as_utc(at)
    if at > now:
        raise DomainError(_("Der Zeitpunkt %(at)s liegt in der Zukunft.") % {"at": _local(at)}, field="at")
    if latest is not None and at < latest:
        raise DomainError(
            _("Der Zeitpunkt %(at)s liegt vor dem letzten Schritt vom %(latest)s.")
            % {"at": _local(at), "latest": _local(latest)},
            field="at",
        )
    return at


def _local(moment: datetime) -> str:
    return as_utc(moment).astimezone(ZURICH).strftime("%d.%m.%Y %H:%M")
