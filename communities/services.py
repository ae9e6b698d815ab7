"""Writes to communities, participants, metering points, memberships and tariffs.

Every write validates the model rules, saves inside a transaction and leaves an audit entry
saying who changed what through which door.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from communities.audit import audit_record, snapshot
from communities.models import (
    AuditEntry,
    Community,
    Door,
    Membership,
    MeteringPoint,
    Participant,
    Tariff,
    TariffFee,
    TariffWindow,
)
from communities.models.tariffs import TariffInUseError
from openleg.same_utility import NAME as SAME_UTILITY_RULE

_OVERLAP_MESSAGES = {
    Membership: _("Dieser Messpunkt ist im gewählten Zeitraum bereits einer Gemeinschaft zugeordnet."),
    Tariff: _("Der Tarif überschneidet sich zeitlich mit einer anderen Version."),
}


def audited_save(*, instance: models.Model, actor, door: Door | str) -> models.Model:
    """Validate, save and record one object; the one write path for every door."""
    before = {}
    if instance.pk is not None:
        stored = type(instance)._default_manager.filter(pk=instance.pk).first()
        before = snapshot(stored)
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
            audit_record(instance=instance, before=before, actor=actor, door=door)
    except TariffInUseError as error:
        raise ValidationError(
            _(
                "Dieser Tarif wurde bereits verrechnet und kann nicht mehr geändert werden. "
                "Erfassen Sie eine neue Version."
            )
        ) from error
    except IntegrityError as error:
        # The database caught what full_clean could not see yet (a concurrent write).
        raise ValidationError(_integrity_message(instance, error)) from error
    return instance


def _integrity_message(instance: models.Model, error: IntegrityError) -> str:
    if SAME_UTILITY_RULE in str(error):
        if isinstance(instance, Membership):  # read afresh: a concurrent writer may have moved either side
            return Membership(
                metering_point=MeteringPoint.objects.select_related("utility").get(pk=instance.metering_point_id),
                participant=Participant.objects.select_related("community__utility").get(pk=instance.participant_id),
            ).other_grid_message()
        return _(
            "Ein Messpunkt kann nur Gemeinschaften im Netz seines eigenen Netzbetreibers angehören; "
            "diese Änderung würde bestehende Zuordnungen in ein anderes Netz verschieben."
        )
    return _OVERLAP_MESSAGES.get(type(instance), _("Die Daten verletzen eine Regel der Datenbank."))


def audited_delete(*, instance: models.Model, actor, door: Door | str) -> None:
    before = snapshot(instance)
    try:
        with transaction.atomic():
            audit_record(instance=instance, before=before, actor=actor, door=door, action=AuditEntry.Action.DELETE)
            instance.delete()
    except TariffInUseError as error:
        raise ValidationError(_("Dieser Tarif wurde bereits verrechnet und kann nicht gelöscht werden.")) from error
    except models.ProtectedError as error:
        raise ValidationError(
            _("%(object)s wird noch verwendet und kann nicht gelöscht werden.") % {"object": instance}
        ) from error


def metering_point_create(*, actor, door: Door | str, **fields: Any) -> MeteringPoint:
    return audited_save(instance=MeteringPoint(**fields), actor=actor, door=door)


def metering_point_update(*, metering_point: MeteringPoint, actor, door: Door | str, **changes: Any) -> MeteringPoint:
    for name, value in changes.items():
        setattr(metering_point, name, value)
    return audited_save(instance=metering_point, actor=actor, door=door)


def participant_create(*, actor, door: Door | str, **fields: Any) -> Participant:
    return audited_save(instance=Participant(**fields), actor=actor, door=door)


def membership_start(
    *,
    metering_point: MeteringPoint,
    participant: Participant,
    valid_from: date,
    actor,
    door: Door | str,
    valid_to: date | None = None,
) -> Membership:
    membership = Membership(
        metering_point=metering_point, participant=participant, valid_from=valid_from, valid_to=valid_to
    )
    return audited_save(instance=membership, actor=actor, door=door)


def membership_end(*, membership: Membership, valid_to: date, actor, door: Door | str) -> Membership:
    membership.valid_to = valid_to
    return audited_save(instance=membership, actor=actor, door=door)


def participant_leave(*, participant: Participant, member_to: date, actor, door: Door | str) -> Participant:
    """End a participant's membership and every open metering point assignment with it."""
    with transaction.atomic():
        for membership in participant.memberships.filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=member_to)
        ):
            membership_end(membership=membership, valid_to=member_to, actor=actor, door=door)
        participant.member_to = member_to
        return audited_save(instance=participant, actor=actor, door=door)


def tariff_create(
    *,
    community: Community,
    valid_from: date,
    consumer_price_rp_kwh: Decimal,
    producer_price_rp_kwh: Decimal,
    actor,
    door: Door | str,
    valid_to: date | None = None,
    windows: list[dict] = (),
    fees: list[dict] = (),
) -> Tariff:
    """A new tariff version; an open predecessor ends the day before the new one starts."""
    with transaction.atomic():
        Community.objects.select_for_update().filter(pk=community.pk).first()  # serialise version numbers
        predecessor = community.tariffs.filter(valid_to__isnull=True, valid_from__lt=valid_from).first()
        if predecessor is not None:
            predecessor.valid_to = valid_from - timedelta(days=1)
            audited_save(instance=predecessor, actor=actor, door=door)
        last = community.tariffs.aggregate(models.Max("version"))["version__max"] or 0
        tariff = audited_save(
            instance=Tariff(
                community=community,
                version=last + 1,
                valid_from=valid_from,
                valid_to=valid_to,
                consumer_price_rp_kwh=consumer_price_rp_kwh,
                producer_price_rp_kwh=producer_price_rp_kwh,
            ),
            actor=actor,
            door=door,
        )
        for window in windows:
            audited_save(instance=TariffWindow(tariff=tariff, **window), actor=actor, door=door)
        for fee in fees:
            audited_save(instance=TariffFee(tariff=tariff, **fee), actor=actor, door=door)
    return tariff


def community_create(*, actor, door: Door | str, **fields: Any) -> Community:
    """A new community; it starts as a draft and moves on only through the formation workflow."""
    return audited_save(instance=Community(**fields), actor=actor, door=door)


def community_update(*, community: Community, actor, door: Door | str, **changes: Any) -> Community:
    changes.pop("status", None)  # the status moves through formation_move, never by editing
    for name, value in changes.items():
        setattr(community, name, value)
    return audited_save(instance=community, actor=actor, door=door)


def participant_update(*, participant: Participant, actor, door: Door | str, **changes: Any) -> Participant:
    for name, value in changes.items():
        setattr(participant, name, value)
    return audited_save(instance=participant, actor=actor, door=door)


def participant_point_add(
    *,
    participant: Participant,
    valid_from: date,
    actor,
    door: Door | str,
    metering_point: MeteringPoint | None = None,
    **point_fields: Any,
) -> Membership:
    """Put a metering point into the participant's community from ``valid_from``: the given point, or a new one
    made from ``point_fields`` in the community's grid. Both or nothing."""
    with transaction.atomic():
        if metering_point is None:
            metering_point = metering_point_create(
                actor=actor, door=door, utility_id=participant.community.utility_id, **point_fields
            )
        return membership_start(
            metering_point=metering_point, participant=participant, valid_from=valid_from, actor=actor, door=door
        )
