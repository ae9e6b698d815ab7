from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from communities import services
from communities.models import AuditEntry, Door, Tariff
from openleg.periods import utc_now
from tests.communities.factories import (
    CommunityFactory,
    MembershipFactory,
    MeteringPointFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db


def test_metering_point_changes_leave_a_trace(staff_user):
    metering_point = services.metering_point_create(
        actor=staff_user,
        door=Door.ADMIN,
        mp_id="CH1007901234500000000D11000800065",
        utility=MeteringPointFactory().utility,
        connection_capacity_kw=Decimal("25.000"),
    )
    services.metering_point_update(
        metering_point=metering_point,
        actor=staff_user,
        door=Door.PORTAL,
        connection_capacity_kw=Decimal("32.000"),
        transformer_circuit="TS-7",
    )
    entries = list(AuditEntry.objects.filter(object_pk=str(metering_point.pk)).order_by("pk"))
    assert [(e.action, e.door, e.actor) for e in entries] == [
        ("create", "admin", staff_user),
        ("update", "portal", staff_user),
    ]
    assert entries[1].changes == {"connection_capacity_kw": ["25.000", "32.000"], "transformer_circuit": ["", "TS-7"]}
    assert entries[1].model == "communities.MeteringPoint"


def test_saving_without_change_writes_no_entry(staff_user):
    metering_point = MeteringPointFactory()
    services.metering_point_update(metering_point=metering_point, actor=staff_user, door=Door.ADMIN)
    assert AuditEntry.objects.count() == 0


def test_membership_start_and_end_are_recorded_with_the_community(staff_user):
    participant = ParticipantFactory()
    membership = services.membership_start(
        metering_point=MeteringPointFactory(utility=participant.community.utility),
        participant=participant,
        valid_from=date(2026, 2, 1),
        actor=staff_user,
        door=Door.COMMAND,
    )
    services.membership_end(membership=membership, valid_to=date(2026, 5, 31), actor=None, door=Door.TASK)
    entries = list(AuditEntry.objects.filter(model="communities.Membership").order_by("pk"))
    assert [e.community for e in entries] == [participant.community, participant.community]
    assert entries[1].changes == {"valid_to": [None, "2026-05-31"]}
    assert entries[1].actor is None and entries[1].door == "task"


def test_overlapping_membership_through_service_is_a_validation_error(staff_user):
    existing = MembershipFactory()
    with pytest.raises(ValidationError):
        services.membership_start(
            metering_point=existing.metering_point,
            participant=ParticipantFactory(),
            valid_from=date(2026, 3, 1),
            actor=staff_user,
            door=Door.ADMIN,
        )
    assert AuditEntry.objects.count() == 0


def test_participant_leave_ends_open_memberships(staff_user):
    membership = MembershipFactory()
    services.participant_leave(
        participant=membership.participant, member_to=date(2026, 8, 31), actor=staff_user, door=Door.PORTAL
    )
    membership.refresh_from_db()
    assert membership.valid_to == date(2026, 8, 31)
    assert membership.participant.member_to == date(2026, 8, 31)
    assert AuditEntry.objects.filter(door="portal").count() == 2


def test_tariff_versions_hand_over_without_overlap(staff_user):
    community = CommunityFactory()
    first = services.tariff_create(
        community=community,
        valid_from=date(2026, 1, 1),
        consumer_price_rp_kwh=Decimal("20"),
        producer_price_rp_kwh=Decimal("12"),
        actor=staff_user,
        door=Door.ADMIN,
        windows=[
            {
                "label": "HT",
                "weekdays": "12345",
                "start_time": time(7),
                "end_time": time(20),
                "consumer_price_rp_kwh": Decimal("22"),
                "producer_price_rp_kwh": Decimal("13"),
            }
        ],
        fees=[{"label": "Verwaltung", "amount_chf": Decimal("3.00"), "basis": "month"}],
    )
    Tariff.objects.filter(pk=first.pk).update(used_at=utc_now())
    second = services.tariff_create(
        community=community,
        valid_from=date(2026, 7, 1),
        consumer_price_rp_kwh=Decimal("21"),
        producer_price_rp_kwh=Decimal("12.5"),
        actor=staff_user,
        door=Door.ADMIN,
    )
    first.refresh_from_db()
    assert (first.version, first.valid_to, second.version, second.valid_to) == (1, date(2026, 6, 30), 2, None)
    assert first.consumer_price_rp_kwh == Decimal("20.0000")
    assert list(first.windows.values_list("label", flat=True)) == ["HT"]
    assert list(first.fees.values_list("amount_chf", flat=True)) == [Decimal("3.00")]


def test_used_tariff_edit_through_service_is_explained(staff_user):
    community = CommunityFactory()
    tariff = services.tariff_create(
        community=community,
        valid_from=date(2026, 1, 1),
        consumer_price_rp_kwh=Decimal("20"),
        producer_price_rp_kwh=Decimal("12"),
        actor=staff_user,
        door=Door.ADMIN,
    )
    Tariff.objects.filter(pk=tariff.pk).update(used_at=utc_now())
    tariff.refresh_from_db()
    tariff.producer_price_rp_kwh = Decimal("15")
    with pytest.raises(ValidationError) as error:
        services.audited_save(instance=tariff, actor=staff_user, door=Door.ADMIN)
    assert error.value.messages == [
        "Dieser Tarif wurde bereits verrechnet und kann nicht mehr geändert werden. Erfassen Sie eine neue Version."
    ]
