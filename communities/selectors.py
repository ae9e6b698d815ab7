"""Reads of communities that views, admin, API and tasks share; every one is scoped to the user."""

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.scoping import scope_to_user
from communities.models import Community, Membership, MeteringPoint, Participant
from openleg.errors import NotFound


def communities_visible_to(user) -> QuerySet[Community]:
    return scope_to_user(
        Community.objects.select_related("utility", "municipality"), user, utility_path="utility"
    ).annotate(participant_count=Count("participants", distinct=True))


def community_get(*, user, pk: int) -> Community:
    community = communities_visible_to(user).filter(pk=pk).first()
    if community is None:
        raise NotFound(f"community {pk} not found or not visible")
    return community


def participants_of(*, user, community: Community) -> QuerySet[Participant]:
    memberships = Membership.objects.select_related("metering_point").order_by("metering_point__mp_id")
    return scope_to_user(
        Participant.objects.filter(community=community), user, utility_path="community__utility"
    ).prefetch_related(Prefetch("memberships", queryset=memberships))


def metering_points_visible_to(user) -> QuerySet[MeteringPoint]:
    return scope_to_user(MeteringPoint.objects.select_related("utility"), user, utility_path="utility")


def memberships_active_on(*, community: Community, day: date) -> QuerySet[Membership]:
    return Membership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day), participant__community=community, valid_from__lte=day
    ).select_related("metering_point", "participant")
