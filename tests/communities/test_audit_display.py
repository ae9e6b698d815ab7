from datetime import date

import pytest

from communities.audit_display import change_rows, model_name
from communities.models import AuditEntry, Door
from communities.services import audited_save
from tests.communities.factories import CommunityFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def test_an_audit_entry_reads_as_german_field_names_labels_and_names_of_related_objects(staff_user):
    participant = ParticipantFactory(role="consumer", member_from=date(2026, 1, 1))
    participant.role = "prosumer"
    participant.member_from = date(2026, 2, 1)
    audited_save(instance=participant, actor=staff_user, door=Door.ADMIN)
    entry = AuditEntry.objects.get(action="update")
    assert (model_name(entry.model), entry.get_door_display()) == ("Teilnehmende", "Administration")
    assert change_rows(entry) == [("Rolle", "Verbraucher", "Prosumer"), ("Mitglied ab", "2026-01-01", "2026-02-01")]


def test_a_new_objects_entry_names_its_community_and_leaves_out_blank_fields(staff_user):
    participant = ParticipantFactory.build(
        community=CommunityFactory(), first_name="", company_name="Ammann AG", kind="company"
    )
    audited_save(instance=participant, actor=staff_user, door=Door.ADMIN)
    rows = dict((name, after) for name, _before, after in change_rows(AuditEntry.objects.get(action="create")))
    assert rows["Gemeinschaft"] == str(participant.community)
    assert rows["Firma"] == "Ammann AG" and "Vorname" not in rows
