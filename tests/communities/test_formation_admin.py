from datetime import date

import pytest
from django.urls import reverse

from communities.models import Community, CommunityStatus, Door, FormationStep
from tests.accounts.factories import UtilityUserFactory
from tests.communities.factories import CommunityFactory
from tests.communities.test_eligibility import add_point

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    community = CommunityFactory(start_date=date(2026, 4, 1), registered_on=date(2025, 12, 15), name="LEG Rebhalde")
    add_point(community)
    producer = add_point(community, role="producer", installed="10.000", has_smart_meter=False)
    community.representative = producer.memberships.get().participant
    community.save()
    return community


def page(community):
    return reverse("admin:communities_community_formation", args=[community.pk])


def test_the_formation_page_explains_each_rule_and_offers_the_allowed_moves(staff, community):
    html = staff.get(page(community)).content.decode()

    assert "Gleicher Netzbetreiber" in html
    assert f"Alle 2 Messpunkte liegen im Netz von {community.utility.name}." in html
    assert "1 von 2 Messpunkten hat noch kein intelligentes Messsystem" in html
    assert 'value="participants_complete"' in html
    assert 'value="eligible"' not in html
    assert "Noch keine Dokumente erstellt." in html


def test_a_move_from_the_page_is_recorded_with_door_admin(staff, staff_user, community):
    response = staff.post(page(community), {"to_status": "participants_complete", "note": "komplett"})

    assert response.status_code == 302
    community.refresh_from_db()
    assert community.status == CommunityStatus.PARTICIPANTS_COMPLETE
    step = FormationStep.objects.get(community=community)
    assert (step.actor, step.door, step.note) == (staff_user, Door.ADMIN, "komplett")


def test_a_refused_move_shows_why_and_changes_nothing(staff, community):
    Community.objects.filter(pk=community.pk).update(status=CommunityStatus.PARTICIPANTS_COMPLETE)

    response = staff.post(page(community), {"to_status": "eligible"}, follow=True)

    html = response.content.decode()
    assert "Die Gemeinschaft kann nicht nach «Voraussetzungen erfüllt» wechseln" in html
    assert "hat noch kein intelligentes Messsystem" in html
    community.refresh_from_db()
    assert community.status == CommunityStatus.PARTICIPANTS_COMPLETE


def test_the_status_is_not_editable_on_the_change_form(staff, community):
    html = staff.get(reverse("admin:communities_community_change", args=[community.pk])).content.decode()

    assert 'name="status"' not in html
    assert page(community) in html


def test_utility_users_do_not_reach_the_formation_page_or_documents(client, community):
    client.force_login(UtilityUserFactory(utility=community.utility))

    assert client.get(page(community)).status_code == 302
    assert client.post(page(community), {"to_status": "participants_complete"}).status_code == 302
    community.refresh_from_db()
    assert community.status == CommunityStatus.DRAFT
