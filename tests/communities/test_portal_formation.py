"""Formation in the portal: a utility's LEG desk creates a community, its participants, metering points and
memberships, and moves it through the workflow, through the same services as the admin, door "portal"."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.models import AuditEntry, Community, FormationStep, Membership, MeteringPoint, Participant
from documents.models import Document
from openleg.periods import local_today
from tests.accounts.factories import UtilityUserFactory
from tests.communities.factories import (
    CommunityFactory,
    MembershipFactory,
    MeteringPointFactory,
    ParticipantFactory,
    TariffFactory,
)
from tests.pipeline.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

MP_CONSUMER = "CH1009991234500000000000000000001"
MP_PRODUCER = "CH1009991234500000000000000000002"


@pytest.fixture
def community():
    return CommunityFactory(name="LEG Sonnenhalde", start_date=None)


@pytest.fixture
def desk(community):
    return UtilityUserFactory(utility=community.utility, portal_role="desk", first_name="Dora", last_name="Desk")


@pytest.fixture
def desk_client(client, desk):
    client.force_login(desk)
    return client


def audit_rows(**filters) -> list[tuple]:
    return [
        (entry.actor, entry.door, entry.action, entry.model, entry.changes)
        for entry in AuditEntry.objects.filter(**filters).order_by("pk")
    ]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def participant_data(**changes) -> dict:
    return {
        "kind": "person",
        "first_name": "Anna",
        "last_name": "Muster",
        "company_name": "",
        "role": "consumer",
        "customer_number": "K-100",
        "member_from": "2026-01-01",
        "email": "anna.muster@example.ch",
        "phone": "",
        "street": "Dorfstrasse",
        "house_number": "3",
        "postcode": "8000",
        "town": "Zürich",
        "country": "CH",
        "iban": "",
        "account_holder": "",
        **changes,
    }


def point_data(**changes) -> dict:
    return {
        "mp_id": MP_CONSUMER,
        "connection_capacity_kw": "25",
        "installed_capacity_kwp": "0",
        "transformer_circuit": "TS-1",
        "grid_level": "7",
        "has_smart_meter": "on",
        "site": "Dorfstrasse 3",
        "municipality": "",
        "valid_from": "2026-01-01",
        **changes,
    }


def community_data(community_or_municipality, **changes) -> dict:
    municipality = getattr(community_or_municipality, "municipality", community_or_municipality)
    return {
        "name": "LEG Neuhof",
        "municipality": municipality.pk,
        "grid_level": "7",
        "reduction_percent": "40",
        "start_date": "",
        "registered_on": "",
        "notice_months": "3",
        "vnb_reference": "",
        "vat_number": "",
        "iban": "",
        "account_iban": "",
        "credit_handling": "carry_over",
        "reminder_fee_chf": "0",
        "email_sender_name": "",
        "reply_to_email": "",
        "street": "Dorfstrasse",
        "house_number": "1",
        "postcode": "8000",
        "town": "Zürich",
        "country": "CH",
        **changes,
    }


# --- creating a community --------------------------------------------------------------------------------------------


def test_the_desk_creates_a_draft_of_its_own_utility_with_the_admins_audit_entry(desk_client, desk, community):
    response = desk_client.post(reverse("portal:community-new"), community_data(community))

    created = Community.objects.get(name="LEG Neuhof")
    assert response.status_code == 302
    assert response.url == reverse("portal:formation", args=[created.pk])
    assert (created.utility, created.municipality, created.status) == (desk.utility, community.municipality, "draft")
    ((actor, door, action, model, changes),) = audit_rows(model="communities.Community", object_pk=str(created.pk))
    assert (actor, door, action, model) == (desk, "portal", "create", "communities.Community")
    assert (changes["name"], changes["utility_id"], changes["status"]) == (
        [None, "LEG Neuhof"],
        [None, desk.utility_id],
        [None, "draft"],
    )
    page = desk_client.get(response.url)
    assert "Die Gemeinschaft «LEG Neuhof» ist als Entwurf erfasst." in messages_of(page)


def test_a_municipality_outside_the_utilitys_grid_is_not_offered(desk_client):
    elsewhere = MunicipalityFactory(name="Fremdwil")

    form_page = desk_client.get(reverse("portal:community-new")).content.decode()
    response = desk_client.post(reverse("portal:community-new"), community_data(elsewhere))

    assert "Fremdwil" not in form_page
    assert response.status_code == 200
    assert response.context["form"].errors["municipality"] == [
        "Bitte eine gültige Auswahl treffen. Dies ist keine gültige Auswahl."
    ]
    assert not Community.objects.filter(name="LEG Neuhof").exists()


def test_creating_the_same_community_twice_has_one_effect(desk_client, community):
    desk_client.post(reverse("portal:community-new"), community_data(community))
    again = desk_client.post(reverse("portal:community-new"), community_data(community))

    assert Community.objects.filter(name="LEG Neuhof").count() == 1
    assert again.status_code == 200
    assert again.context["form"].non_field_errors() == [
        "Gemeinschaft (LEG) mit diesem Wert für das Feld Netzbetreiber und Name existiert bereits."
    ]


def test_editing_the_community_sets_the_representative_among_its_participants(desk_client, desk, community):
    anna = ParticipantFactory(community=community, last_name="Muster")
    other = ParticipantFactory()  # another community's participant is not offered
    data = community_data(
        community, name="LEG Sonnenhalde", iban=community.iban, representative=anna.pk, registered_on="2026-08-03"
    )

    refused = desk_client.post(
        reverse("portal:community-edit", args=[community.pk]), {**data, "representative": other.pk}
    )
    response = desk_client.post(reverse("portal:community-edit", args=[community.pk]), data)

    assert "representative" in refused.context["form"].errors
    assert response.status_code == 302
    community.refresh_from_db()
    assert (community.representative, community.registered_on) == (anna, date(2026, 8, 3))
    ((actor, door, action, _model, changes),) = audit_rows(
        model="communities.Community", object_pk=str(community.pk), action="update"
    )
    assert (actor, door, action) == (desk, "portal", "update")
    assert changes == {"registered_on": [None, "2026-08-03"], "representative_id": [None, anna.pk]}


# --- participants, points, memberships -------------------------------------------------------------------------------


def test_the_desk_adds_a_participant_with_the_admins_audit_entry(desk_client, desk, community):
    response = desk_client.post(reverse("portal:participant-new", args=[community.pk]), participant_data())

    anna = Participant.objects.get(community=community, customer_number="K-100")
    assert response.url == reverse("portal:participant", args=[community.pk, anna.pk])
    ((actor, door, action, model, changes),) = audit_rows(model="communities.Participant")
    assert (actor, door, action, model) == (desk, "portal", "create", "communities.Participant")
    assert (changes["last_name"], changes["community_id"]) == ([None, "Muster"], [None, community.pk])
    assert AuditEntry.objects.get(model="communities.Participant").community == community


def test_a_qr_iban_is_refused_at_the_field(desk_client, community):
    response = desk_client.post(
        reverse("portal:participant-new", args=[community.pk]), participant_data(iban="CH4431999123000889012")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["iban"] == [
        "Die IBAN CH4431999123000889012 ist eine QR-IBAN: sie empfängt nur Zahlungen mit QR-Referenz. Für "
        "Auszahlungen braucht es die gewöhnliche IBAN des Kontos."
    ]
    assert not Participant.objects.exists()


def test_adding_the_same_participant_twice_has_one_effect(desk_client, community):
    url = reverse("portal:participant-new", args=[community.pk])
    desk_client.post(url, participant_data())
    again = desk_client.post(url, participant_data())

    assert Participant.objects.count() == 1
    assert again.context["form"].non_field_errors() == [
        "Teilnehmende mit diesem Wert für das Feld Gemeinschaft und Kundennummer existiert bereits."
    ]


def test_editing_a_participant_writes_an_update_entry(desk_client, desk, community):
    anna = ParticipantFactory(
        community=community, customer_number="K-100", last_name="Muster", member_from=date(2026, 1, 1)
    )
    data = participant_data(email="anna@example.ch", street=anna.street, house_number=anna.house_number)

    response = desk_client.post(reverse("portal:participant", args=[community.pk, anna.pk]), data)

    assert response.status_code == 302
    assert audit_rows(model="communities.Participant") == [
        (desk, "portal", "update", "communities.Participant", {"email": ["", "anna@example.ch"]})
    ]


def test_a_new_metering_point_joins_the_community_with_two_audit_entries(desk_client, desk, community):
    anna = ParticipantFactory(community=community, member_from=date(2026, 1, 1))

    response = desk_client.post(
        reverse("portal:participant-point-new", args=[community.pk, anna.pk]), point_data(valid_from="2026-02-01")
    )

    assert response.status_code == 302
    point = MeteringPoint.objects.get(mp_id=MP_CONSUMER)
    membership = Membership.objects.get(metering_point=point)
    assert (point.utility, point.connection_capacity_kw, membership.participant, membership.valid_from) == (
        community.utility,
        Decimal("25.000"),
        anna,
        date(2026, 2, 1),
    )
    rows = audit_rows()
    assert [(actor, door, action, model) for actor, door, action, model, _changes in rows] == [
        (desk, "portal", "create", "communities.MeteringPoint"),
        (desk, "portal", "create", "communities.Membership"),
    ]
    assert rows[1][4]["valid_from"] == [None, "2026-02-01"]
    page = desk_client.get(response.url)
    assert f"Der Messpunkt {MP_CONSUMER} gehört ab 01.02.2026 zu {anna.display_name}." in messages_of(page)


def test_a_known_point_of_the_grid_joins_by_its_id_alone(desk_client, desk, community):
    anna = ParticipantFactory(community=community)
    point = MeteringPointFactory(utility=community.utility, mp_id=MP_CONSUMER)

    desk_client.post(
        reverse("portal:participant-point-new", args=[community.pk, anna.pk]),
        point_data(connection_capacity_kw="", valid_from="2026-03-01"),
    )

    assert Membership.objects.get().metering_point == point
    assert [row[3] for row in audit_rows()] == ["communities.Membership"]


def test_a_point_already_in_a_community_is_refused_at_the_field(desk_client, community):
    taken = MembershipFactory(
        participant__community=CommunityFactory(utility=community.utility, name="LEG Nachbar"),
        metering_point__mp_id=MP_CONSUMER,
        valid_from=date(2026, 1, 1),
    )
    anna = ParticipantFactory(community=community)

    response = desk_client.post(
        reverse("portal:participant-point-new", args=[community.pk, anna.pk]), point_data(valid_from="2026-03-01")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["valid_from"] == [
        f"Messpunkt {MP_CONSUMER} ist ab 01.01.2026 bereits {taken.participant} in der Gemeinschaft «LEG Nachbar» "
        "zugeordnet. Ein Messpunkt kann nur in einer Gemeinschaft zugleich sein."
    ]
    assert Membership.objects.count() == 1


def test_a_point_of_another_grid_cannot_be_created_again(desk_client, community):
    MeteringPointFactory(mp_id=MP_CONSUMER)  # another utility's point
    anna = ParticipantFactory(community=community)

    response = desk_client.post(reverse("portal:participant-point-new", args=[community.pk, anna.pk]), point_data())

    assert response.context["form"].errors["mp_id"] == [
        "Messpunkt mit diesem Wert für das Feld Messpunkt-ID existiert bereits."
    ]
    assert not Membership.objects.exists()


def test_ending_a_membership_twice_writes_one_update(desk_client, desk, community):
    membership = MembershipFactory(participant__community=community, valid_from=date(2026, 1, 1))
    url = reverse("portal:membership-end", args=[community.pk, membership.pk])

    first = desk_client.post(url, {"valid_to": "2026-06-30"})
    desk_client.post(url, {"valid_to": "2026-06-30"})

    membership.refresh_from_db()
    assert membership.valid_to == date(2026, 6, 30)
    assert first.url == reverse("portal:participant", args=[community.pk, membership.participant_id])
    assert audit_rows(model="communities.Membership") == [
        (desk, "portal", "update", "communities.Membership", {"valid_to": [None, "2026-06-30"]})
    ]


def test_editing_a_member_point_writes_an_update_and_goes_back_to_the_participant(desk_client, desk, community):
    membership = MembershipFactory(participant__community=community)
    point = membership.metering_point
    url = reverse("portal:point-edit", args=[community.pk, point.pk]) + f"?participant={membership.participant_id}"
    data = {"connection_capacity_kw": "40", "installed_capacity_kwp": "12.5", "transformer_circuit": "TS-1"}
    data |= {"grid_level": "7", "has_smart_meter": "on", "site": "Scheune", "municipality": ""}

    response = desk_client.post(url, data)

    assert response.url == reverse("portal:participant", args=[community.pk, membership.participant_id])
    assert audit_rows() == [
        (
            desk,
            "portal",
            "update",
            "communities.MeteringPoint",
            {
                "connection_capacity_kw": ["25.000", "40.000"],
                "installed_capacity_kwp": ["0.000", "12.500"],
                "site": ["", "Scheune"],
            },
        )
    ]


def test_a_point_that_is_not_a_member_is_not_found(desk_client, community):
    elsewhere = MembershipFactory(participant__community=CommunityFactory(utility=community.utility))
    url = reverse("portal:point-edit", args=[community.pk, elsewhere.metering_point.pk])

    assert (desk_client.get(url).status_code, desk_client.post(url, {}).status_code) == (404, 404)


def test_an_end_before_the_start_is_refused_at_the_field(desk_client, community):
    membership = MembershipFactory(participant__community=community, valid_from=date(2026, 3, 1))

    response = desk_client.post(
        reverse("portal:membership-end", args=[community.pk, membership.pk]), {"valid_to": "2026-02-28"}
    )

    assert response.context["form"].errors["valid_to"] == ["Das Ende liegt vor dem Beginn."]
    assert not AuditEntry.objects.exists()


def test_a_participant_leaves_with_every_open_point(desk_client, desk, community):
    membership = MembershipFactory(participant__community=community, valid_from=date(2026, 1, 1))
    anna = membership.participant

    response = desk_client.post(
        reverse("portal:participant-leave", args=[community.pk, anna.pk]), {"member_to": "2026-09-30"}
    )

    anna.refresh_from_db()
    membership.refresh_from_db()
    assert (anna.member_to, membership.valid_to) == (date(2026, 9, 30), date(2026, 9, 30))
    assert audit_rows() == [
        (desk, "portal", "update", "communities.Membership", {"valid_to": [None, "2026-09-30"]}),
        (desk, "portal", "update", "communities.Participant", {"member_to": [None, "2026-09-30"]}),
    ]
    assert f"{anna.display_name} tritt per 30.09.2026 aus." in messages_of(desk_client.get(response.url))


def test_a_new_tariff_version_ends_the_open_one_with_door_portal(desk_client, desk, community):
    first = TariffFactory(community=community, version=1, valid_from=date(2026, 1, 1))

    response = desk_client.post(
        reverse("portal:tariff-new", args=[community.pk]),
        {"valid_from": "2026-07-01", "consumer_price_rp_kwh": "21.5", "producer_price_rp_kwh": "11"},
    )

    assert response.url == reverse("portal:formation", args=[community.pk])
    first.refresh_from_db()
    second = community.tariffs.get(version=2)
    assert (first.valid_to, second.valid_from, second.consumer_price_rp_kwh) == (
        date(2026, 6, 30),
        date(2026, 7, 1),
        Decimal("21.5000"),
    )
    assert [(row[0], row[1], row[2], row[3]) for row in audit_rows()] == [
        (desk, "portal", "update", "communities.Tariff"),
        (desk, "portal", "create", "communities.Tariff"),
    ]


def test_a_tariff_starting_inside_a_used_version_is_refused_at_the_field(desk_client, community):
    TariffFactory(community=community, version=1, valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))

    response = desk_client.post(
        reverse("portal:tariff-new", args=[community.pk]),
        {"valid_from": "2026-07-01", "consumer_price_rp_kwh": "21.5", "producer_price_rp_kwh": "11"},
    )

    assert response.context["form"].errors["valid_from"] == [
        "Der Tarif überschneidet sich mit Version 1 (gültig ab 01.01.2026). Beenden Sie zuerst die bisherige Version."
    ]


# --- formation workflow ----------------------------------------------------------------------------------------------


def test_a_refused_move_lists_every_obstacle_in_german(desk_client, community):
    ParticipantFactory(community=community, first_name="Anna", last_name="Muster", customer_number="K-1")

    response = desk_client.post(
        reverse("portal:formation-move", args=[community.pk]), {"to_status": "participants_complete"}, follow=True
    )

    assert messages_of(response) == [
        "Die Gemeinschaft kann nicht nach «Teilnehmende vollständig» wechseln:",
        "Es ist keine Vertretung der LEG bestimmt.",
        "Anna Muster (K-1) hat keinen Messpunkt.",
        "Es nimmt niemand mit erneuerbarer Produktion teil.",
    ]
    community.refresh_from_db()
    assert community.status == "draft"
    assert not FormationStep.objects.exists()


def test_an_allowed_move_is_recorded_with_door_portal_and_shown_in_the_history(desk_client, desk, community):
    response = desk_client.post(
        reverse("portal:formation-move", args=[community.pk]),
        {"to_status": "abandoned", "note": "Kein Interesse mehr"},
        follow=True,
    )

    step = FormationStep.objects.get()
    assert (step.from_status, step.to_status, step.actor, step.door, step.note) == (
        "draft",
        "abandoned",
        desk,
        "portal",
        "Kein Interesse mehr",
    )
    assert messages_of(response) == ["Status: Aufgegeben."]
    assert "Kein Interesse mehr" in response.content.decode()


def test_moving_twice_has_one_effect(desk_client, community):
    url = reverse("portal:formation-move", args=[community.pk])
    desk_client.post(url, {"to_status": "abandoned", "note": "Kein Interesse"}, follow=True)
    again = desk_client.post(url, {"to_status": "abandoned", "note": "Kein Interesse"}, follow=True)

    assert FormationStep.objects.count() == 1
    assert messages_of(again) == ["Von «Aufgegeben» kann die Gemeinschaft nicht nach «Aufgegeben» wechseln."]


def test_the_formation_page_shows_the_rules_moves_and_history(desk_client, community):
    html = desk_client.get(reverse("portal:formation", args=[community.pk])).content.decode()

    assert "Status: <span" in html and "Entwurf" in html
    assert "Es ist noch kein Messpunkt erfasst." in html
    assert "Nach «Teilnehmende vollständig»" in html
    assert "Gründungsdokumente erstellen" in html
    assert "Noch keine Statuswechsel." in html


# --- roles, isolation, speed -----------------------------------------------------------------------------------------


def write_urls(community, participant, membership) -> list[str]:
    return [
        reverse("portal:community-new"),
        reverse("portal:community-edit", args=[community.pk]),
        reverse("portal:participant-new", args=[community.pk]),
        reverse("portal:participant", args=[community.pk, participant.pk]),
        reverse("portal:participant-leave", args=[community.pk, participant.pk]),
        reverse("portal:participant-point-new", args=[community.pk, participant.pk]),
        reverse("portal:membership-end", args=[community.pk, membership.pk]),
        reverse("portal:formation-move", args=[community.pk]),
        reverse("portal:formation-documents", args=[community.pk]),
        reverse("portal:tariff-new", args=[community.pk]),
        reverse("portal:point-edit", args=[community.pk, membership.metering_point_id]),
    ]


def test_a_viewer_reads_the_pages_but_every_post_is_forbidden(client, community):
    membership = MembershipFactory(participant__community=community)
    client.force_login(UtilityUserFactory(utility=community.utility, portal_role="viewer"))

    posts = {
        url: client.post(url, {"to_status": "abandoned", "note": "x"}).status_code
        for url in write_urls(community, membership.participant, membership)
    }
    formation = client.get(reverse("portal:formation", args=[community.pk])).content.decode()
    participant = client.get(reverse("portal:participant", args=[community.pk, membership.participant.pk]))

    assert set(posts.values()) == {403}
    assert (FormationStep.objects.count(), AuditEntry.objects.count()) == (0, 0)
    assert "<form" not in formation.split("</header>", 1)[1]
    assert "Nach «" not in formation
    assert participant.status_code == 200 and participant.context["form"] is None
    assert "<form" not in participant.content.decode().split("</header>", 1)[1]


def test_another_communitys_participant_or_membership_is_not_found_on_get_and_post(desk_client, community):
    neighbour = MembershipFactory(participant__community=CommunityFactory(utility=community.utility))
    foreign = MembershipFactory()
    for membership in (neighbour, foreign):
        urls = write_urls(community, membership.participant, membership)[3:7]
        assert {url: desk_client.get(url).status_code for url in urls} == dict.fromkeys(urls, 404)
        assert {
            url: desk_client.post(url, {"member_to": "2026-09-30", "valid_to": "2026-09-30"}).status_code
            for url in urls
        } == dict.fromkeys(urls, 404)
    foreign_urls = write_urls(foreign.participant.community, foreign.participant, foreign)[1:]
    assert {
        url: desk_client.post(url, {"to_status": "abandoned", "note": "x"}).status_code for url in foreign_urls
    } == dict.fromkeys(foreign_urls, 404)
    assert (FormationStep.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_a_post_only_action_answers_a_get_with_405(desk_client, community):
    assert desk_client.get(reverse("portal:formation-move", args=[community.pk])).status_code == 405


def grow(community, count: int) -> None:
    for _ in range(count):
        MembershipFactory(participant__community=community)


@pytest.mark.parametrize("size", [2, 12])
def test_the_formation_pages_take_a_fixed_number_of_queries(desk_client, community, size, django_assert_num_queries):
    grow(community, size)
    participant = community.participants.first()
    membership = participant.memberships.get()
    pages = {  # each counts the subscription banner's one query
        reverse("portal:formation", args=[community.pk]): 10,
        reverse("portal:tariff-new", args=[community.pk]): 5,
        reverse("portal:participants", args=[community.pk]): 7,
        reverse("portal:participant", args=[community.pk, participant.pk]): 7,
        reverse("portal:participant-point-new", args=[community.pk, participant.pk]): 8,
        reverse("portal:membership-end", args=[community.pk, membership.pk]): 6,
        reverse("portal:point-edit", args=[community.pk, membership.metering_point_id]): 7,
        reverse("portal:community-edit", args=[community.pk]): 7,
    }
    for url, queries in pages.items():
        with django_assert_num_queries(queries):
            assert desk_client.get(url).status_code == 200


# --- the whole formation, through the portal's views only ------------------------------------------------------------


def test_a_fresh_community_goes_from_draft_to_active_through_the_portal(
    desk_client, desk, community, django_capture_on_commit_callbacks
):
    portal = desk_client
    municipality = community.municipality
    created = portal.post(reverse("portal:community-new"), community_data(municipality), follow=True)
    leg = Community.objects.get(name="LEG Neuhof")
    assert created.redirect_chain == [(reverse("portal:formation", args=[leg.pk]), 302)]

    def add(customer_number, role, mp_id, installed):
        portal.post(
            reverse("portal:participant-new", args=[leg.pk]),
            participant_data(customer_number=customer_number, role=role, last_name=f"Muster {customer_number}"),
            follow=True,
        )
        person = Participant.objects.get(community=leg, customer_number=customer_number)
        portal.post(
            reverse("portal:participant-point-new", args=[leg.pk, person.pk]),
            point_data(mp_id=mp_id, installed_capacity_kwp=installed, municipality=municipality.pk),
            follow=True,
        )
        return person

    producer = add("K-1", "producer", MP_PRODUCER, "30")
    add("K-2", "consumer", MP_CONSUMER, "0")
    edited = portal.post(
        reverse("portal:community-edit", args=[leg.pk]),
        community_data(
            municipality,
            name="LEG Neuhof",
            representative=producer.pk,
            registered_on="2026-08-01",
            start_date="2026-11-01",
        ),
        follow=True,
    )
    assert messages_of(edited) == ["Die Angaben der Gemeinschaft sind gespeichert."]

    def move(to_status):
        response = portal.post(reverse("portal:formation-move", args=[leg.pk]), {"to_status": to_status}, follow=True)
        return messages_of(response)

    assert move("participants_complete") == ["Status: Teilnehmende vollständig."]
    assert move("eligible") == ["Status: Voraussetzungen erfüllt."]
    tariff = portal.post(
        reverse("portal:tariff-new", args=[leg.pk]),
        {"valid_from": "2026-11-01", "consumer_price_rp_kwh": "20", "producer_price_rp_kwh": "12"},
        follow=True,
    )
    assert messages_of(tariff) == ["Tarif Version 1 gilt ab 01.11.2026."]
    with django_capture_on_commit_callbacks(execute=True):
        generated = portal.post(reverse("portal:formation-documents", args=[leg.pk]))
    assert messages_of(portal.get(generated.url)) == [
        "Die Dokumente werden erstellt; neue Versionen erscheinen hier, sobald sie bereit sind."
    ]
    documents = list(Document.objects.filter(community=leg).order_by("kind", "subject"))
    assert [(d.kind, d.door, d.created_by) for d in documents] == [
        ("agreement", "portal", desk),
        ("contract", "portal", desk),
        ("contract", "portal", desk),
        ("registration", "portal", desk),
    ]
    assert move("documents_ready") == ["Status: Dokumente bereit."]
    assert move("out_for_signature") == [
        "Die Gemeinschaft kann nicht nach «In Unterzeichnung» wechseln:",
        "Die Gemeinschaftsvereinbarung ist noch nicht zur Unterschrift versandt.",
    ]
    scan = b"%PDF-1.7 signed on paper"
    for document in documents:
        upload = _upload(scan)
        response = portal.post(
            reverse("portal:document-paper", args=[leg.pk, document.pk]),
            {"scan": upload, "signed_on": local_today().isoformat(), "note": ""},
        )
        assert response.status_code == 302, response.content.decode()
        portal.get(response.url)  # the message is read
    # Signed on paper counts as out for signature and then as signed: the workflow reads only the state.
    assert move("out_for_signature") == ["Status: In Unterzeichnung."]
    assert move("signed") == ["Status: Unterzeichnet."]
    assert move("registered") == ["Status: Beim VNB angemeldet."]
    assert move("active") == ["Status: Aktiv."]
    assert list(FormationStep.objects.filter(community=leg).values_list("to_status", "door", "actor")) == [
        ("participants_complete", "portal", desk.pk),
        ("eligible", "portal", desk.pk),
        ("documents_ready", "portal", desk.pk),
        ("out_for_signature", "portal", desk.pk),
        ("signed", "portal", desk.pk),
        ("registered", "portal", desk.pk),
        ("active", "portal", desk.pk),
    ]
    assert set(AuditEntry.objects.filter(community=leg).values_list("door", flat=True)) == {"portal"}


def _upload(content: bytes):
    return SimpleUploadedFile("unterzeichnet.pdf", content, content_type="application/pdf")
