"""Writes for participant lists: keep an upload for its preview, and apply it all at once or not at all.

Applying re-reads the stored file and plans it against the database as it is now (not as the preview saw it),
then writes every participant, metering point and membership through the same services as the admin, each with
its audit entry. One failing write undoes them all, and the message names the row. The upload is claimed by a
conditional update in the same transaction, so a second submit of the same upload writes nothing.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import services
from communities.models import Community, Door, Participant, ParticipantListUpload
from communities.participant_list_columns import POINT_KEYS
from communities.participant_list_plan import CHANGED, NEW, ListPlan, RowPlan, participant_list_plan
from communities.participant_lists import read_participant_list
from openleg.errors import DomainError


def participant_list_stage(*, community: Community, user, filename: str, content: bytes) -> ParticipantListUpload:
    """Keep an uploaded file for its preview; the user's earlier unapplied uploads for the community go."""
    with transaction.atomic():
        ParticipantListUpload.objects.filter(community=community, uploaded_by=user, applied_at__isnull=True).delete()
        return ParticipantListUpload.objects.create(
            community=community, uploaded_by=user, filename=filename[:200], content=content
        )


def participant_list_preview(*, upload: ParticipantListUpload) -> ListPlan:
    return participant_list_plan(community=upload.community, parsed=read_participant_list(bytes(upload.content)))


@dataclass(frozen=True)
class Applied:
    participants_new: int
    participants_changed: int
    points_new: int
    points_changed: int
    memberships_new: int

    @property
    def anything(self) -> bool:
        return any(vars(self).values())


def participant_list_apply(*, upload: ParticipantListUpload, actor, door: Door | str) -> Applied:
    """Create and update what the list says, in one transaction; a DomainError says what stopped it and where."""
    community = upload.community
    with transaction.atomic():
        claimed = ParticipantListUpload.objects.filter(pk=upload.pk, applied_at__isnull=True).update(
            applied_at=timezone.now()
        )
        if not claimed:
            raise DomainError(_("Diese Liste wurde bereits übernommen."), code="already_applied")
        Community.objects.select_for_update().filter(pk=community.pk).first()  # one list at a time per community
        plan = participant_list_preview(upload=upload)
        if not plan.ok:
            problems = "; ".join(str(error) for error in plan.errors[:3])
            raise DomainError(_("Die Liste wurde nicht übernommen: %(problems)s") % {"problems": problems})
        created: dict[str, Participant] = {}
        for row_plan in plan.plans.values():
            try:
                _apply_row(row_plan, community, created, actor, door)
            except ValidationError as error:
                message = _("Die Liste wurde nicht übernommen. Zeile %(line)s: %(problem)s")
                raise DomainError(message % {"line": row_plan.row.line, "problem": " ".join(error.messages)}) from error
    return Applied(**plan.counts())


def _apply_row(plan: RowPlan, community: Community, created: dict[str, Participant], actor, door) -> None:
    row = plan.row
    participant = created.get(row.customer_number) or plan.participant
    if participant is None:
        participant = services.participant_create(actor=actor, door=door, community=community, **row.participant)
    elif plan.same_participant_as is None and plan.participant_status == CHANGED:
        for name, value in row.participant.items():
            setattr(participant, name, value)
        services.audited_save(instance=participant, actor=actor, door=door)
    created[row.customer_number] = participant
    point_fields = {key: row.point[key] for key in POINT_KEYS if key in row.point}
    point = plan.point
    if plan.point_status == NEW:
        point = services.metering_point_create(
            actor=actor, door=door, utility_id=community.utility_id, municipality=community.municipality, **point_fields
        )
    elif plan.point_status == CHANGED:
        services.metering_point_update(metering_point=point, actor=actor, door=door, **point_fields)
    if plan.starts_membership:
        services.membership_start(
            metering_point=point,
            participant=participant,
            valid_from=row.participant["member_from"],
            actor=actor,
            door=door,
        )
