"""Who may be billed for a month: the one check every door uses before a run is created.

A month not yet over, a community that has not started in the month (not active, or its start date empty or
after the month's last day) and a community without any member in the month are refused with a German sentence
that says so. ``billing_run_start`` asks before it claims a run, so a refused month never leaves a run behind;
the console's confirmation page and the beat ask for many communities at once (one query whatever their number).
"""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from communities.models import Community, CommunityStatus, Membership
from openleg.errors import DomainError
from openleg.formats import format_day
from openleg.periods import local_month, utc_now

ENDED = (CommunityStatus.REJECTED, CommunityStatus.ABANDONED)


def month_days(year: int, month: int) -> tuple[date, date]:
    """First and last Europe/Zurich calendar day of the month."""
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date(year, month, 1), following - timedelta(days=1)


def month_not_closed(year: int, month: int) -> DomainError | None:
    if local_month(year, month).end > utc_now():
        return DomainError(
            _("Der Monat %(month)02d/%(year)s ist noch nicht abgeschlossen.") % {"month": month, "year": year},
            code="month_not_closed",
        )
    return None


def _not_started(community: Community, year: int, month: int) -> DomainError | None:
    last = month_days(year, month)[1]
    if community.status == CommunityStatus.ACTIVE and community.start_date and community.start_date <= last:
        return None
    values = {
        "community": community,
        "status": community.get_status_display(),
        "start": format_day(community.start_date) if community.start_date else _("nicht festgelegt"),
        "month": month,
        "year": year,
    }
    if community.status in ENDED:
        message = _(
            "%(community)s ist nicht aktiv (Status: %(status)s, Start %(start)s); "
            "für %(month)02d/%(year)s wurde kein Lauf erstellt."
        )
    else:
        message = _(
            "%(community)s ist noch nicht gestartet (Status: %(status)s, Start %(start)s); "
            "für %(month)02d/%(year)s wurde kein Lauf erstellt."
        )
    return DomainError(message % values, code="community_not_started")


def _no_members(community: Community, year: int, month: int) -> DomainError:
    return DomainError(
        _("%(community)s hat im Monat %(month)02d/%(year)s keine Mitglieder; es wurde kein Lauf erstellt.")
        % {"community": community, "month": month, "year": year},
        code="no_members",
    )


def communities_with_members(community_ids: Iterable[int], year: int, month: int) -> set[int]:
    """The communities among ``community_ids`` with a membership overlapping the month (one query)."""
    first, last = month_days(year, month)
    return set(
        Membership.objects.filter(participant__community__in=list(community_ids), valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .values_list("participant__community", flat=True)
        .distinct()
    )


def billing_refusals(*, communities: Iterable[Community], year: int, month: int) -> dict[int, DomainError]:
    """Why each community may not be billed for the month, by community id; a community absent may be billed."""
    communities = list(communities)
    closed = month_not_closed(year, month)
    if closed:
        return {community.pk: closed for community in communities}
    refusals = {}
    for community in communities:
        refusal = _not_started(community, year, month)
        if refusal:
            refusals[community.pk] = refusal
    with_members = communities_with_members(
        (community.pk for community in communities if community.pk not in refusals), year, month
    )
    for community in communities:
        if community.pk not in refusals and community.pk not in with_members:
            refusals[community.pk] = _no_members(community, year, month)
    return refusals


def billing_check(*, community: Community, year: int, month: int) -> None:
    """Raise the refusal of this community and month, if there is one (``DomainError`` with its code)."""
    refusal = billing_refusals(communities=[community], year=year, month=month).get(community.pk)
    if refusal:
        raise refusal
