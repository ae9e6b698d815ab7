from decimal import Decimal

import pytest

from api.errors import ApiError
from api.models import AgentCall
from pipeline.models import OutreachDraft
from tests.accounts.factories import StaffUserFactory
from tests.api.tools.conftest import call
from tests.pipeline.factories import MarketMunicipalityFactory, UtilityFactory

pytestmark = pytest.mark.django_db

FACTS = {
    "utility": "Werke am See AG",
    "municipalities": [
        {"name": "Seedorf", "population": 12345, "roof_potential_mwh": "45678.9", "installed_pv_kwp": "3210.0"}
    ],
    "municipalities_not_named": 0,
    "leg_possible_since": "2026-01-01",
    "leg_legal_basis": "StromVG Art. 17d/17e",
    "sender": "Anna Muster",
}


@pytest.fixture
def utility():
    utility = UtilityFactory(name="Werke am See AG", owner=StaffUserFactory(first_name="Anna", last_name="Muster"))
    utility.municipalities.add(
        MarketMunicipalityFactory(
            bfs_number=1,
            name="Seedorf",
            population=12345,
            roof_potential_mwh=Decimal("45678.9"),
            installed_pv_kwp=Decimal("3210.0"),
        )
    )
    return utility


def test_a_draft_is_stored_from_recorded_facts_and_returned_with_them(staff_token, utility):
    answer = call(staff_token, "draft_outreach", {"utility": utility.pk})

    draft = OutreachDraft.objects.get()
    assert (draft.door, draft.status, draft.created_by, draft.written_by_agent) == ("agent", "draft", None, False)
    assert answer.data["draft"] == draft.pk
    assert answer.data["subject"] == "Lokale Elektrizitätsgemeinschaften (LEG) bei Werke am See AG"
    assert answer.data["body"] == draft.body
    assert "Seedorf: 12'345 Einwohner" in answer.data["body"]
    assert answer.data["facts"] == FACTS
    assert (answer.data["status"], answer.data["revision_of"], answer.data["template"]) == (
        "draft",
        None,
        "first_contact",
    )
    assert AgentCall.objects.get().touched == [f"utility:{utility.pk}", f"outreach_draft:{draft.pk}"]


def test_the_agents_revision_is_a_new_draft_marked_as_its_own(staff_token, utility):
    first = call(staff_token, "draft_outreach", {"utility": utility.pk}).data

    answer = call(
        staff_token,
        "draft_outreach",
        {"utility": utility.pk, "draft": first["draft"], "body": "Grüezi Frau Keller\n\nKürzer.", "subject": "LEG"},
    )

    revision = OutreachDraft.objects.get(pk=answer.data["draft"])
    assert (revision.revision_of_id, revision.written_by_agent, revision.status, revision.door) == (
        first["draft"],
        True,
        "draft",
        "agent",
    )
    assert (answer.data["subject"], answer.data["body"], answer.data["facts"]) == (
        "LEG",
        "Grüezi Frau Keller\n\nKürzer.\n",
        FACTS,
    )
    assert OutreachDraft.objects.get(pk=first["draft"]).body == first["body"]  # the original stays as it was


def test_another_utilitys_draft_is_not_found(staff_token, utility):
    other = UtilityFactory()
    foreign = call(staff_token, "draft_outreach", {"utility": other.pk}).data["draft"]

    with pytest.raises(ApiError) as refused:
        call(staff_token, "draft_outreach", {"utility": utility.pk, "draft": foreign, "body": "Neu"})

    assert (refused.value.status, refused.value.code, refused.value.message) == (
        404,
        "not_found",
        f"Es gibt keinen Entwurf {foreign} für «Werke am See AG».",
    )


def test_a_sent_draft_is_not_revised(staff_token, utility):
    first = call(staff_token, "draft_outreach", {"utility": utility.pk}).data["draft"]
    OutreachDraft.objects.filter(pk=first).update(status="sent")

    with pytest.raises(ApiError) as refused:
        call(staff_token, "draft_outreach", {"utility": utility.pk, "draft": first, "body": "Neu"})

    assert (refused.value.status, refused.value.code) == (409, "draft_closed")
    assert OutreachDraft.objects.count() == 1


@pytest.mark.parametrize(
    ("arguments", "fields"),
    [
        ({"draft": 1}, {"body": ["Zum Überarbeiten eines Entwurfs den neuen Text (body) angeben."]}),
        (
            {"body": "Neu"},
            {"draft": ["Ein Text (body) oder Betreff gehört zu einem Entwurf (draft), der überarbeitet wird."]},
        ),
        ({"draft": 1, "body": "  "}, {"body": ["Dieses Feld darf nicht leer sein."]}),
    ],
)
def test_revision_arguments_belong_together(staff_token, utility, arguments, fields):
    with pytest.raises(ApiError) as refused:
        call(staff_token, "draft_outreach", {"utility": utility.pk, **arguments})
    assert (refused.value.status, refused.value.details) == (400, {"fields": fields})
