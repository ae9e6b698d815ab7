from datetime import date

import pytest

from communities.formation import FormationRefused, formation_move, formation_targets
from communities.models import Community, CommunityStatus, Door, FormationStep
from documents.models import Document, DocumentKind, SignatureState
from tests.communities.factories import ParticipantFactory
from tests.communities.test_eligibility import add_point

pytestmark = pytest.mark.django_db
S = CommunityStatus


@pytest.fixture
def community():
    from tests.communities.factories import CommunityFactory

    community = CommunityFactory(start_date=date(2026, 4, 1), registered_on=date(2025, 12, 15))
    for _ in range(2):
        add_point(community)
    producer_point = add_point(community, role="producer", installed="10.000")
    community.representative = producer_point.memberships.get().participant
    community.save()
    return community


def move(community, to, staff_user, note=""):
    return formation_move(community=community, to_status=to, actor=staff_user, door=Door.ADMIN, note=note)


def force(community, status):
    Community.objects.filter(pk=community.pk).update(status=status)
    community.refresh_from_db()


def add_document(community, kind, *, participant=None, state=SignatureState.UNSIGNED, version=1):
    subject = f"participant:{participant.pk}" if participant else ""
    return Document.objects.create(
        community=community,
        kind=kind,
        subject=subject,
        participant=participant,
        version=version,
        title=kind,
        file=f"documents/{community.pk}/{kind}/{subject or kind}-v{version}.pdf",
        sha256="0" * 64,
        size_bytes=1,
        source_sha256="0" * 64,
        door=Door.COMMAND,
        signature_state=state,
    )


def add_all_documents(community, state=SignatureState.UNSIGNED):
    add_document(community, DocumentKind.AGREEMENT, state=state)
    add_document(community, DocumentKind.REGISTRATION, state=SignatureState.NOT_REQUIRED)
    for participant in community.participants.all():
        add_document(community, DocumentKind.CONTRACT, participant=participant, state=state)


def test_a_move_changes_the_status_and_records_who_when_and_through_which_door(community, staff_user):
    step = move(community, S.PARTICIPANTS_COMPLETE, staff_user, note="alle erfasst")

    community.refresh_from_db()
    assert community.status == S.PARTICIPANTS_COMPLETE
    assert (step.from_status, step.to_status, step.actor, step.door, step.note) == (
        S.DRAFT,
        S.PARTICIPANTS_COMPLETE,
        staff_user,
        Door.ADMIN,
        "alle erfasst",
    )
    assert FormationStep.objects.filter(community=community).count() == 1


def test_the_whole_happy_path(community, staff_user, monkeypatch):
    monkeypatch.setattr("communities.formation.local_today", lambda: date(2026, 4, 1))
    move(community, S.PARTICIPANTS_COMPLETE, staff_user)
    move(community, S.ELIGIBLE, staff_user)
    add_all_documents(community)
    move(community, S.DOCUMENTS_READY, staff_user)
    community.documents.filter(kind=DocumentKind.AGREEMENT).update(signature_state=SignatureState.OUT_FOR_SIGNATURE)
    move(community, S.OUT_FOR_SIGNATURE, staff_user)
    community.documents.exclude(kind=DocumentKind.REGISTRATION).update(signature_state=SignatureState.SIGNED)
    move(community, S.SIGNED, staff_user)
    move(community, S.REGISTERED, staff_user)
    move(community, S.ACTIVE, staff_user)

    assert list(FormationStep.objects.filter(community=community).values_list("to_status", flat=True)) == [
        S.PARTICIPANTS_COMPLETE,
        S.ELIGIBLE,
        S.DOCUMENTS_READY,
        S.OUT_FOR_SIGNATURE,
        S.SIGNED,
        S.REGISTERED,
        S.ACTIVE,
    ]


ALL_TARGETS = set(S.values)
ALLOWED = {
    S.DRAFT: {S.PARTICIPANTS_COMPLETE, S.REJECTED, S.ABANDONED},
    S.PARTICIPANTS_COMPLETE: {S.DRAFT, S.ELIGIBLE, S.REJECTED, S.ABANDONED},
    S.ELIGIBLE: {S.DRAFT, S.DOCUMENTS_READY, S.REJECTED, S.ABANDONED},
    S.DOCUMENTS_READY: {S.DRAFT, S.OUT_FOR_SIGNATURE, S.REJECTED, S.ABANDONED},
    S.OUT_FOR_SIGNATURE: {S.DOCUMENTS_READY, S.SIGNED, S.REJECTED, S.ABANDONED},
    S.SIGNED: {S.REGISTERED, S.REJECTED, S.ABANDONED},
    S.REGISTERED: {S.ACTIVE, S.REJECTED, S.ABANDONED},
    S.ACTIVE: {S.ABANDONED},
    S.REJECTED: set(),
    S.ABANDONED: set(),
}


def test_the_transition_table():
    assert {status: set(formation_targets(status)) for status in S.values} == ALLOWED


@pytest.mark.parametrize(
    ("start", "to"),
    [(start, to) for start in S.values for to in sorted(ALL_TARGETS - ALLOWED[start])],
)
def test_every_forbidden_transition_is_refused_and_changes_nothing(community, staff_user, start, to):
    force(community, start)

    with pytest.raises(FormationRefused) as refused:
        move(community, to, staff_user, note="Versuch")

    assert refused.value.message == (
        f"Von «{S(start).label}» kann die Gemeinschaft nicht nach «{S(to).label}» wechseln."
    )
    community.refresh_from_db()
    assert community.status == start
    assert not FormationStep.objects.filter(community=community).exists()


def test_participants_complete_needs_a_representative_points_and_a_producer(staff_user):
    from tests.communities.factories import CommunityFactory

    community = CommunityFactory()
    lonely = ParticipantFactory(community=community, last_name="Ohnepunkt")

    with pytest.raises(FormationRefused) as refused:
        move(community, S.PARTICIPANTS_COMPLETE, staff_user)

    assert refused.value.reasons == [
        "Es ist keine Vertretung der LEG bestimmt.",
        f"{lonely.display_name} ({lonely.customer_number}) hat keinen Messpunkt.",
        "Es nimmt niemand mit erneuerbarer Produktion teil.",
    ]
    assert refused.value.message.startswith(
        "Die Gemeinschaft kann nicht nach «Teilnehmende vollständig» wechseln: Es ist keine Vertretung"
    )


def test_a_community_that_fails_a_rule_cannot_leave_participants_complete(community, staff_user):
    force(community, S.PARTICIPANTS_COMPLETE)
    add_point(community, has_smart_meter=False)

    with pytest.raises(FormationRefused) as refused:
        move(community, S.ELIGIBLE, staff_user)

    assert len(refused.value.reasons) == 1
    assert refused.value.reasons[0].startswith("Intelligentes Messsystem: 1 von 4 Messpunkten hat noch kein")
    community.refresh_from_db()
    assert community.status == S.PARTICIPANTS_COMPLETE


def test_documents_ready_needs_every_document(community, staff_user):
    force(community, S.ELIGIBLE)
    add_document(community, DocumentKind.AGREEMENT)

    with pytest.raises(FormationRefused) as refused:
        move(community, S.DOCUMENTS_READY, staff_user)

    participants = list(community.participants.order_by("customer_number"))
    assert refused.value.reasons == [
        "Die Anmeldung beim Netzbetreiber fehlt.",
        *[f"Der Teilnehmervertrag für {p.display_name} ({p.customer_number}) fehlt." for p in participants],
    ]


def test_out_for_signature_needs_the_agreement_sent(community, staff_user):
    force(community, S.DOCUMENTS_READY)
    add_all_documents(community)

    with pytest.raises(FormationRefused) as refused:
        move(community, S.OUT_FOR_SIGNATURE, staff_user)

    assert refused.value.reasons == ["Die Gemeinschaftsvereinbarung ist noch nicht zur Unterschrift versandt."]


def test_signed_needs_every_signature_on_the_latest_versions(community, staff_user):
    force(community, S.OUT_FOR_SIGNATURE)
    add_all_documents(community, state=SignatureState.SIGNED)
    add_document(community, DocumentKind.AGREEMENT, version=2, state=SignatureState.OUT_FOR_SIGNATURE)

    with pytest.raises(FormationRefused) as refused:
        move(community, S.SIGNED, staff_user)

    assert refused.value.reasons == ["Die Gemeinschaftsvereinbarung (Version 2) ist noch nicht unterzeichnet."]


def test_registered_needs_the_registration_date(community, staff_user):
    force(community, S.SIGNED)
    community.registered_on = None
    community.save()

    with pytest.raises(FormationRefused) as refused:
        move(community, S.REGISTERED, staff_user)

    assert refused.value.reasons[0] == "Das Datum der Anmeldung beim Netzbetreiber ist nicht erfasst."


def test_active_not_before_the_start_date(community, staff_user, monkeypatch):
    monkeypatch.setattr("communities.formation.local_today", lambda: date(2026, 3, 31))
    force(community, S.REGISTERED)

    with pytest.raises(FormationRefused) as refused:
        move(community, S.ACTIVE, staff_user)

    assert refused.value.reasons == ["Die Gemeinschaft startet erst am 01.04.2026."]


@pytest.mark.parametrize("to", [S.REJECTED, S.ABANDONED])
def test_rejecting_or_abandoning_needs_a_reason(community, staff_user, to):
    with pytest.raises(FormationRefused) as refused:
        move(community, to, staff_user, note="  ")

    assert refused.value.reasons == ["Bitte eine Begründung angeben."]
    step = move(community, to, staff_user, note="VNB lehnt ab: zwei Trafokreise")
    assert step.to_status == to


def test_a_stale_status_does_not_move_twice(community, staff_user):
    stale = Community.objects.get(pk=community.pk)
    move(community, S.PARTICIPANTS_COMPLETE, staff_user)

    with pytest.raises(FormationRefused):
        move(stale, S.PARTICIPANTS_COMPLETE, staff_user)

    assert FormationStep.objects.filter(community=community).count() == 1


def move_at(community, to, at):
    return formation_move(community=community, to_status=to, actor=None, door=Door.COMMAND, at=at)


def test_a_formation_made_earlier_is_recorded_on_its_days_in_order(community):
    from datetime import UTC, datetime

    from openleg.errors import DomainError

    first = datetime(2025, 11, 3, 8, 0, tzinfo=UTC)
    step = move_at(community, S.PARTICIPANTS_COMPLETE, first)
    assert (step.at, FormationStep.objects.get(pk=step.pk).at) == (first, first)

    with pytest.raises(DomainError) as refused:
        move_at(community, S.ELIGIBLE, datetime(2025, 11, 2, tzinfo=UTC))
    assert refused.value.message == (
        "Der Zeitpunkt 02.11.2025 01:00 liegt vor dem letzten Schritt vom 03.11.2025 09:00."
    )
    assert Community.objects.get(pk=community.pk).status == S.PARTICIPANTS_COMPLETE


def test_an_activation_made_earlier_is_checked_against_its_own_day(community):
    from datetime import UTC, datetime

    force(community, S.REGISTERED)
    with pytest.raises(FormationRefused) as refused:
        move_at(community, S.ACTIVE, datetime(2026, 3, 31, 12, tzinfo=UTC))
    assert refused.value.reasons == ["Die Gemeinschaft startet erst am 01.04.2026."]

    step = move_at(community, S.ACTIVE, datetime(2026, 4, 1, 5, tzinfo=UTC))
    assert (step.to_status, step.at) == (S.ACTIVE, datetime(2026, 4, 1, 5, tzinfo=UTC))
