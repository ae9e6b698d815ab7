"""What a checked participant list would do to a community: per row new, changed (which fields) or unchanged, and
the problems only the database can see (a point of another grid, a point in another community at that date).

Reads only, three queries whatever the length of the list: the community's participants with these customer
numbers, the metering points with these ids, and the memberships of those points from the list's first date on.
Another utility's point is named as "not in your grid", never with that utility's name or its community.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Community, Membership, MeteringPoint, Participant
from communities.participant_list_columns import POINT_KEYS, column_header
from communities.participant_lists import ListError, ListRow, ParticipantList

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
STATUS_LABELS = {NEW: gettext_lazy("neu"), CHANGED: gettext_lazy("geändert"), UNCHANGED: gettext_lazy("unverändert")}


@dataclass
class RowPlan:
    """One valid row: its participant and point as stored (None when new) and what applying would change."""

    row: ListRow
    participant: Participant | None
    point: MeteringPoint | None
    participant_changes: list[str] = field(default_factory=list)  # the fields' German names
    point_changes: list[str] = field(default_factory=list)
    starts_membership: bool = True
    same_participant_as: int | None = None  # the line that already carries this participant

    @property
    def participant_status(self) -> str:
        return _status(self.participant, self.participant_changes)

    @property
    def point_status(self) -> str:
        return _status(self.point, self.point_changes)

    @property
    def participant_status_label(self) -> str:
        return str(STATUS_LABELS[self.participant_status])

    @property
    def point_status_label(self) -> str:
        return str(STATUS_LABELS[self.point_status])

    @property
    def status(self) -> str:
        statuses = {self.point_status, NEW if self.starts_membership else UNCHANGED}
        if self.same_participant_as is None:
            statuses.add(self.participant_status)
        return next(status for status in (NEW, CHANGED, UNCHANGED) if status in statuses)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def _status(stored, changes: list[str]) -> str:
    if stored is None:
        return NEW
    return CHANGED if changes else UNCHANGED


@dataclass
class ListPlan:
    parsed: ParticipantList
    plans: dict[int, RowPlan]  # by line, for the rows without errors
    errors: list[ListError]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes_anything(self) -> bool:
        return any(plan.status != UNCHANGED for plan in self.plans.values())

    def counts(self) -> dict[str, int]:
        """How many participants, points and memberships would be created or changed."""
        first = [plan for plan in self.plans.values() if plan.same_participant_as is None]
        return {
            "participants_new": sum(plan.participant_status == NEW for plan in first),
            "participants_changed": sum(plan.participant_status == CHANGED for plan in first),
            "points_new": sum(plan.point_status == NEW for plan in self.plans.values()),
            "points_changed": sum(plan.point_status == CHANGED for plan in self.plans.values()),
            "memberships_new": sum(plan.starts_membership for plan in self.plans.values()),
        }

    def errors_by_line(self) -> dict[int, list[ListError]]:
        by_line: dict[int, list[ListError]] = {}
        for error in self.errors:
            if error.line is not None:
                by_line.setdefault(error.line, []).append(error)
        return by_line

    @property
    def file_errors(self) -> list[ListError]:
        return [error for error in self.errors if error.line is None]


def participant_list_plan(*, community: Community, parsed: ParticipantList) -> ListPlan:
    rows = [row for row in parsed.rows if not row.errors]
    if not rows:
        return ListPlan(parsed, {}, parsed.errors)
    participants = {
        participant.customer_number: participant
        for participant in Participant.objects.filter(
            community=community, customer_number__in={row.customer_number for row in rows}
        )
    }
    points = {point.mp_id: point for point in MeteringPoint.objects.filter(mp_id__in={row.mp_id for row in rows})}
    earliest = min(row.participant["member_from"] for row in rows)
    memberships: dict[int, list[Membership]] = {}
    for membership in Membership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=earliest), metering_point__in=list(points.values())
    ).select_related("participant__community"):
        memberships.setdefault(membership.metering_point_id, []).append(membership)
    plans, errors = {}, list(parsed.errors)
    first_line: dict[str, int] = {}
    for row in rows:
        participant = participants.get(row.customer_number)
        point = points.get(row.mp_id)
        plan = RowPlan(row, participant, point)
        plan.same_participant_as = first_line.setdefault(row.customer_number, row.line)
        if plan.same_participant_as == row.line:
            plan.same_participant_as = None
        row_errors = _participant_errors(row, participant, plan) + _point_errors(
            community, row, point, memberships.get(point.pk, []) if point else [], plan
        )
        if plan.starts_membership and participant is not None and participant.member_to is not None:
            message = _("Kundennummer %(number)s ist am %(end)s ausgetreten; eine neue Zuordnung ist nicht möglich.")
            row_errors.append(
                ListError(
                    message % {"number": row.customer_number, "end": _day(participant.member_to)},
                    row.line,
                    column_header("customer_number"),
                )
            )
        errors += row_errors
        if not row_errors:
            plans[row.line] = plan
    return ListPlan(parsed, plans, sorted(errors, key=lambda error: error.line or 0))


def _participant_errors(row: ListRow, participant: Participant | None, plan: RowPlan) -> list[ListError]:
    if participant is None:
        return []
    if participant.member_from != row.participant["member_from"]:
        message = _(
            "Kundennummer %(number)s ist seit %(start)s Mitglied; das Eintrittsdatum lässt sich nicht mit der "
            "Liste ändern."
        )
        values = {"number": row.customer_number, "start": _day(participant.member_from)}
        return [ListError(message % values, row.line, column_header("member_from"))]
    plan.participant_changes = _changed(participant, row.participant)
    return []


def _point_errors(
    community: Community, row: ListRow, point: MeteringPoint | None, memberships: list[Membership], plan: RowPlan
) -> list[ListError]:
    if point is None:
        return []
    column = column_header("mp_id")
    if point.utility_id != community.utility_id:
        message = _("Der Messpunkt %(mp)s gehört nicht zu Ihrem Netz.")  # never the other utility's name
        return [ListError(message % {"mp": point.mp_id}, row.line, column)]
    start = row.participant["member_from"]
    for membership in memberships:
        if membership.valid_to is not None and membership.valid_to < start:
            continue
        holder = membership.participant
        if holder.community_id != community.pk:
            return [ListError(_elsewhere_message(point, membership), row.line, column)]
        if holder.customer_number != row.customer_number:
            message = _("Der Messpunkt %(mp)s ist in dieser Gemeinschaft schon Kundennummer %(number)s zugeordnet.")
            return [ListError(message % {"mp": point.mp_id, "number": holder.customer_number}, row.line, column)]
        plan.starts_membership = False
    plan.point_changes = _changed(point, {key: row.point[key] for key in POINT_KEYS if key in row.point})
    return []


def _elsewhere_message(point: MeteringPoint, membership: Membership) -> str:
    values = {
        "mp": point.mp_id,
        "start": _day(membership.valid_from),
        "community": membership.participant.community.name,
    }
    if membership.valid_to is None:
        message = _(
            "Der Messpunkt %(mp)s ist ab %(start)s der Gemeinschaft «%(community)s» zugeordnet; ein Messpunkt "
            "kann nur in einer Gemeinschaft zugleich sein."
        )
    else:
        values["end"] = _day(membership.valid_to)
        message = _(
            "Der Messpunkt %(mp)s ist vom %(start)s bis %(end)s der Gemeinschaft «%(community)s» zugeordnet; ein "
            "Messpunkt kann nur in einer Gemeinschaft zugleich sein."
        )
    return message % values


def _changed(stored, values: dict) -> list[str]:
    """The German names of the fields whose list value differs from the stored one."""
    names = []
    for key, value in values.items():
        current = getattr(stored, key)
        if isinstance(value, Decimal) and current is not None:
            current = Decimal(current)  # 25 and 25.000 are the same capacity
        if current != value:
            names.append(str(type(stored)._meta.get_field(key).verbose_name))
    return names


def _day(value) -> str:
    return date_format(value, "d.m.Y")
