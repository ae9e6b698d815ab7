"""A metering point joins only communities in its own utility's grid: the model says so in German, the database
refuses every write that would break it (see openleg.same_utility), on PostgreSQL and SQLite alike."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from communities import services
from communities.models import AuditEntry, Community, Door, Membership, MeteringPoint, Participant
from tests.communities.factories import CommunityFactory, MembershipFactory, MeteringPointFactory, ParticipantFactory
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db


def refused(write) -> None:
    with pytest.raises(IntegrityError, match="membership_same_utility"), transaction.atomic():
        write()


def other_grid(point: MeteringPoint, participant: Participant) -> str:
    return (
        f"Der Messpunkt {point.mp_id} gehört zum Netz von {point.utility.name}, "
        f"die Gemeinschaft zum Netz von {participant.community.utility.name}."
    )


@pytest.fixture
def foreign_point() -> MeteringPoint:
    return MeteringPointFactory()


# --- the database -------------------------------------------------------------------------------------------------


def test_the_database_refuses_a_new_membership_of_a_point_in_another_grid(foreign_point):
    participant = ParticipantFactory()

    refused(
        lambda: Membership.objects.create(
            metering_point=foreign_point, participant=participant, valid_from=date(2026, 1, 1)
        )
    )

    assert Membership.objects.count() == 0


def test_the_database_refuses_moving_a_membership_to_a_point_in_another_grid(foreign_point):
    membership = MembershipFactory()

    refused(lambda: Membership.objects.filter(pk=membership.pk).update(metering_point=foreign_point))

    assert Membership.objects.get().metering_point_id == membership.metering_point_id


def test_the_database_refuses_moving_a_membership_to_a_participant_in_another_grid():
    membership = MembershipFactory()
    stranger = ParticipantFactory()

    refused(lambda: Membership.objects.filter(pk=membership.pk).update(participant=stranger))

    assert Membership.objects.get().participant_id == membership.participant_id


def test_the_database_refuses_changing_the_utility_of_a_point_with_memberships():
    membership = MembershipFactory(valid_to=date(2026, 3, 31))  # an ended membership counts too
    point, utility = membership.metering_point, membership.metering_point.utility

    refused(lambda: MeteringPoint.objects.filter(pk=point.pk).update(utility=UtilityFactory()))

    assert MeteringPoint.objects.get(pk=point.pk).utility_id == utility.pk


def test_the_database_refuses_moving_a_participant_with_memberships_to_a_community_in_another_grid():
    membership = MembershipFactory()
    participant = membership.participant

    refused(lambda: Participant.objects.filter(pk=participant.pk).update(community=CommunityFactory()))

    assert Participant.objects.get(pk=participant.pk).community_id == participant.community_id


def test_the_database_refuses_moving_a_community_with_memberships_to_another_utility():
    community = MembershipFactory().participant.community

    refused(lambda: Community.objects.filter(pk=community.pk).update(utility=UtilityFactory()))

    assert Community.objects.get(pk=community.pk).utility_id == community.utility_id


def test_moves_within_the_grid_and_points_without_memberships_are_allowed():
    membership = MembershipFactory()
    participant, point = membership.participant, membership.metering_point
    neighbour = CommunityFactory(utility=participant.community.utility)
    lone_point = MeteringPointFactory()
    new_utility = UtilityFactory()

    moved = (
        Participant.objects.filter(pk=participant.pk).update(community=neighbour),
        MeteringPoint.objects.filter(pk=lone_point.pk).update(utility=new_utility),
        MeteringPoint.objects.filter(pk=point.pk).update(transformer_circuit="TS-2"),
    )

    assert moved == (1, 1, 1)
    assert (
        Participant.objects.get(pk=participant.pk).community_id,
        MeteringPoint.objects.get(pk=lone_point.pk).utility_id,
    ) == (
        neighbour.pk,
        new_utility.pk,
    )


# --- the German message -------------------------------------------------------------------------------------------


def test_the_service_refuses_a_point_of_another_grid_in_german_and_writes_nothing(staff_user, foreign_point):
    participant = ParticipantFactory()

    with pytest.raises(ValidationError) as caught:
        services.membership_start(
            metering_point=foreign_point,
            participant=participant,
            valid_from=date(2026, 2, 1),
            actor=staff_user,
            door=Door.ADMIN,
        )

    assert caught.value.message_dict == {"metering_point": [other_grid(foreign_point, participant)]}
    assert (Membership.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_when_only_the_database_sees_it_the_service_still_answers_in_german(monkeypatch, staff_user, foreign_point):
    # As if another writer moved the point between the check and the write.
    monkeypatch.setattr(Membership, "clean", lambda self: None)
    participant = ParticipantFactory()

    with pytest.raises(ValidationError) as caught:
        services.membership_start(
            metering_point=foreign_point,
            participant=participant,
            valid_from=date(2026, 2, 1),
            actor=staff_user,
            door=Door.API,
        )

    assert caught.value.messages == [other_grid(foreign_point, participant)]
    assert (Membership.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_changing_the_utility_of_a_point_with_memberships_is_refused_in_german(staff_user):
    membership = MembershipFactory()
    point, community = membership.metering_point, membership.participant.community
    utility_id = point.utility_id

    with pytest.raises(ValidationError) as caught:
        services.metering_point_update(
            metering_point=point, utility=UtilityFactory(), actor=staff_user, door=Door.ADMIN
        )

    assert caught.value.message_dict == {
        "utility": [
            f"Der Messpunkt {point.mp_id} ist der Gemeinschaft «{community.name}» zugeordnet, die im Netz von "
            f"{community.utility.name} liegt; er kann nicht in ein anderes Netz wechseln."
        ]
    }
    assert (MeteringPoint.objects.get(pk=point.pk).utility_id, AuditEntry.objects.count()) == (utility_id, 0)


def test_when_only_the_database_sees_a_point_change_the_service_still_answers_in_german(monkeypatch, staff_user):
    monkeypatch.setattr(MeteringPoint, "clean", lambda self: None)
    point = MembershipFactory().metering_point
    utility_id = point.utility_id

    with pytest.raises(ValidationError) as caught:
        services.metering_point_update(
            metering_point=point, utility=UtilityFactory(), actor=staff_user, door=Door.ADMIN
        )

    assert caught.value.messages == [
        "Ein Messpunkt kann nur Gemeinschaften im Netz seines eigenen Netzbetreibers angehören; "
        "diese Änderung würde bestehende Zuordnungen in ein anderes Netz verschieben."
    ]
    assert (MeteringPoint.objects.get(pk=point.pk).utility_id, AuditEntry.objects.count()) == (utility_id, 0)


def test_the_admin_refuses_a_point_of_another_grid_in_german(client, staff_user, foreign_point):
    participant = ParticipantFactory()
    client.force_login(staff_user)

    response = client.post(
        reverse("admin:communities_membership_add"),
        {"metering_point": foreign_point.pk, "participant": participant.pk, "valid_from": "01.02.2026", "valid_to": ""},
    )

    assert response.status_code == 200
    assert other_grid(foreign_point, participant) in response.content.decode()
    assert Membership.objects.count() == 0


def test_a_multi_row_update_that_breaks_the_rule_for_one_row_changes_no_row():
    member_point = MembershipFactory().metering_point
    lone_point = MeteringPointFactory()
    before = {point.pk: point.utility_id for point in (member_point, lone_point)}

    refused(lambda: MeteringPoint.objects.filter(pk__in=before).update(utility=UtilityFactory()))

    assert dict(MeteringPoint.objects.filter(pk__in=before).values_list("pk", "utility_id")) == before


def test_the_admin_refuses_moving_a_point_with_memberships_to_another_grid_in_german(client, staff_user):
    membership = MembershipFactory()
    point, community = membership.metering_point, membership.participant.community
    client.force_login(staff_user)

    response = client.post(
        reverse("admin:communities_meteringpoint_change", args=[point.pk]),
        {
            "mp_id": point.mp_id,
            "utility": UtilityFactory().pk,
            "connection_capacity_kw": "25.000",
            "installed_capacity_kwp": "0",
            "transformer_circuit": "TS-1",
            "grid_level": "7",
            "has_smart_meter": "on",
            "site": "",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": membership.pk,
            "memberships-0-metering_point": point.pk,
            "memberships-0-participant": membership.participant_id,
            "memberships-0-valid_from": "01.01.2026",
            "memberships-0-valid_to": "",
        },
    )

    assert response.status_code == 200
    assert (
        f"Der Messpunkt {point.mp_id} ist der Gemeinschaft «{community.name}» zugeordnet" in response.content.decode()
    )
    assert (MeteringPoint.objects.get(pk=point.pk).utility_id, AuditEntry.objects.count()) == (point.utility_id, 0)


def test_moving_a_participant_with_memberships_to_another_grid_is_refused_in_german(staff_user):
    membership = MembershipFactory()
    participant, point = membership.participant, membership.metering_point
    participant.community = CommunityFactory()

    with pytest.raises(ValidationError) as caught:
        services.audited_save(instance=participant, actor=staff_user, door=Door.ADMIN)

    assert caught.value.message_dict == {
        "community": [
            f"Der Messpunkt {point.mp_id} gehört zum Netz von {point.utility.name}; "
            "die Gemeinschaft muss im selben Netz liegen."
        ]
    }
    assert AuditEntry.objects.count() == 0


def test_moving_a_community_with_memberships_to_another_utility_is_refused_in_german(staff_user):
    membership = MembershipFactory()
    community, point = membership.participant.community, membership.metering_point
    community.utility = UtilityFactory()

    with pytest.raises(ValidationError) as caught:
        services.audited_save(instance=community, actor=staff_user, door=Door.ADMIN)

    assert caught.value.message_dict["utility"] == [
        f"Der Messpunkt {point.mp_id} dieser Gemeinschaft gehört zum Netz von {point.utility.name}; "
        "der Netzbetreiber kann nicht wechseln."
    ]
    assert AuditEntry.objects.count() == 0
