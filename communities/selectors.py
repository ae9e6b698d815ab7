"""Reads of communities that views, admin, API and tasks share; every one is scoped to the user."""

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

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
        raise NotFound(_("Keine Gemeinschaft mit der Nummer %(pk)s, die Sie sehen dürfen.") % {"pk": pk})
    return community


def participants_of(*, user, community: Community) -> QuerySet[Participant]:
    memberships = Membership.objects.select_related("metering_point").order_by("metering_point__mp_id")
    return scope_to_user(
        Participant.objects.filter(community=community), user, utility_path="community__utility"
    ).prefetch_related(Prefetch("memberships", queryset=memberships))


def metering_points_visible_to(user) -> QuerySet[MeteringPoint]:
    return scope_to_user(MeteringPoint.objects.select_related("utility"), user, utility_path="utility")


def community_metering_point(*, user, community: Community, pk: int) -> MeteringPoint | None:
    """A metering point the user may see that is (or was) a member of ``community``; None otherwise."""
    return (
        metering_points_visible_to(user)
        .filter(pk=pk, memberships__participant__community=community)
        .distinct()
        .first()
    )


def memberships_active_on(*, community: Community, day: date) -> QuerySet[Membership]:
    return Membership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day), participant__community=community, valid_from__lte=day
    ).select_related("metering_point", "participant")


def members_on_or_after(*, community: Community, day: date) -> list[Membership]:
    """One membership per metering point that is still open on ``day`` or starts later, of participants
    who have not left by then: the community as it will be from ``day`` on, ordered by point id."""
    still_open = Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    memberships = (
        Membership.objects.filter(still_open, participant__community=community)
        .filter(Q(participant__member_to__isnull=True) | Q(participant__member_to__gte=day))
        .select_related("metering_point__municipality", "metering_point__utility", "participant")
        .order_by("metering_point__mp_id", "valid_from")
    )
    first_per_point = {}
    for membership in memberships:
        first_per_point.setdefault(membership.metering_point_id, membership)
    return list(first_per_point.values())


def memberships_elsewhere(*, community: Community, point_ids, day: date) -> QuerySet[Membership]:
    """Memberships of these metering points in other communities that are still open on ``day`` or later."""
    return (
        Membership.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), metering_point_id__in=point_ids)
        .exclude(participant__community=community)
        .select_related("metering_point", "participant__community")
        .order_by("metering_point__mp_id")
    )


def community_by_reference(reference: str) -> Community:
    """A community by its id or its slug."""
    found = (
        Community.objects.filter(pk=int(reference)) if reference.isdigit() else Community.objects.filter(slug=reference)
    )
    community = found.select_related("utility").first()
    if community is None:
        raise NotFound(_("Keine LEG mit der Nummer oder Kurzbezeichnung «%(reference)s».") % {"reference": reference})
    return community


def latest_document_versions(*, community: Community) -> dict[tuple[str, str], object]:
    """The newest version of each document of the community, by (kind, subject). Documents are read through
    the reverse relation: communities does not import the documents app."""
    latest = {}
    documents = community.documents.select_related("participant", "created_by").order_by("kind", "subject", "version")
    for document in documents:
        latest[(document.kind, document.subject)] = document
    return latest


def latest_documents(*, community: Community) -> list:
    """The newest version of each document, the agreement first."""
    latest = latest_document_versions(community=community).values()
    return sorted(latest, key=lambda d: (d.kind != "agreement", d.kind, d.title))


def community_participant(*, user, community: Community, pk: int) -> Participant:
    """A participant of ``community`` the user may see, with its memberships; NotFound otherwise."""
    participant = participants_of(user=user, community=community).filter(pk=pk).first()
    if participant is None:
        raise NotFound(_("Keine teilnehmende Person mit der Nummer %(pk)s in dieser Gemeinschaft.") % {"pk": pk})
    return participant


def community_membership(*, user, community: Community, pk: int) -> Membership:
    """A metering point assignment of ``community`` the user may see; NotFound otherwise."""
    membership = (
        scope_to_user(Membership.objects.all(), user, utility_path="participant__community__utility")
        .filter(pk=pk, participant__community=community)
        .select_related("metering_point", "participant__community")
        .first()
    )
    if membership is None:
        raise NotFound(_("Keine Zuordnung mit der Nummer %(pk)s in dieser Gemeinschaft.") % {"pk": pk})
    return membership
