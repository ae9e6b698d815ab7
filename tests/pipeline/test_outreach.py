from decimal import Decimal

import pytest
from django.utils import translation

from pipeline import services
from pipeline.outreach import MAX_MUNICIPALITIES_NAMED, outreach_facts
from pipeline.stages import Door
from tests.accounts.factories import StaffUserFactory
from tests.pipeline.factories import MarketMunicipalityFactory, MunicipalityFactory, UtilityFactory

pytestmark = pytest.mark.django_db


def draft_for(utility, actor=None):
    return services.outreach_draft_create(utility=utility, actor=actor, door=Door.ADMIN)


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
        ),
        MunicipalityFactory(bfs_number=2, name="Bergli"),
    )
    return utility


def test_the_draft_cites_the_recorded_figures_and_signs_with_the_owner(utility):
    draft = draft_for(utility)

    assert draft.subject == "Lokale Elektrizitätsgemeinschaften (LEG) bei Werke am See AG"
    assert draft.body == (
        "Sehr geehrte Damen und Herren\n\n"
        "Seit dem 1. Januar 2026 können sich Endverbraucher, Produzenten und Speicherbetreiber zu Lokalen "
        "Elektrizitätsgemeinschaften (LEG) zusammenschliessen (StromVG Art. 17d/17e). Die Anmeldung, die Messung mit "
        "intelligenten Messsystemen und der reduzierte Netznutzungstarif jeder LEG in Ihrem Netzgebiet laufen über Sie "
        "als Netzbetreiber.\n\n"
        "Nach unseren Unterlagen versorgt Werke am See AG diese Gemeinden:\n"
        "- Seedorf: 12'345 Einwohner, Solarpotenzial der Dächer 45'679 MWh pro Jahr, "
        "installierte Photovoltaik 3'210 kWp\n"
        "- Bergli\n\n"
        "OpenLEG ist die Software für Netzbetreiber, die LEG abwickeln: Sie erfasst Gemeinschaften und Teilnehmende, "
        "prüft die Voraussetzungen, liest Ihre Messdaten im Format SDAT-CH ein und erstellt die Abrechnung mit "
        "QR-Rechnung.\n\n"
        "Gerne zeigen wir Ihnen in einer kurzen Demo, wie das für Werke am See AG aussehen kann. Passt Ihnen ein "
        "Termin in den nächsten Wochen?\n\n"
        "Freundliche Grüsse\n"
        "Anna Muster\n"
        "OpenLEG\n"
    )


def test_the_facts_are_exactly_what_the_text_used(utility):
    assert draft_for(utility).facts == {
        "utility": "Werke am See AG",
        "municipalities": [
            {
                "name": "Seedorf",
                "population": 12345,
                "roof_potential_mwh": "45678.9",
                "installed_pv_kwp": "3210.0",
            },
            {"name": "Bergli"},
        ],
        "municipalities_not_named": 0,
        "leg_possible_since": "2026-01-01",
        "leg_legal_basis": "StromVG Art. 17d/17e",
        "sender": "Anna Muster",
    }


def test_a_missing_population_makes_no_population_claim():
    utility = UtilityFactory(name="EW Bergli")
    utility.municipalities.add(MarketMunicipalityFactory(bfs_number=5, name="Bergli", population=None))
    draft = draft_for(utility)

    assert "Einwohner" not in draft.body
    assert (
        "- Bergli: Solarpotenzial der Dächer 30'000 MWh pro Jahr, installierte Photovoltaik 4'000 kWp\n" in draft.body
    )
    assert "population" not in draft.facts["municipalities"][0]


def test_a_utility_without_data_or_owner_gets_no_figures_and_the_team_signature():
    draft = draft_for(UtilityFactory(name="EW Leer", owner=StaffUserFactory(first_name="", last_name="")))

    assert "Gemeinden" not in draft.body
    assert "Einwohner" not in draft.body and "MWh" not in draft.body and "kWp" not in draft.body
    assert draft.body.endswith("Freundliche Grüsse\nIhr OpenLEG-Team\n")
    assert "sender" not in draft.facts
    assert draft.facts["municipalities"] == []


def test_no_sharp_s_anywhere(utility):
    draft = draft_for(utility)
    assert "ß" not in draft.subject + draft.body


def test_the_largest_municipalities_are_named_and_the_others_counted():
    utility = UtilityFactory()
    for bfs in range(1, MAX_MUNICIPALITIES_NAMED + 4):
        utility.municipalities.add(MarketMunicipalityFactory(bfs_number=bfs, name=f"Ort {bfs:02d}", population=bfs))
    utility.municipalities.add(MunicipalityFactory(bfs_number=99, name="Aadorf"))  # no population: last
    facts = outreach_facts(utility)

    assert [m["population"] for m in facts["municipalities"]] == list(range(13, 3, -1))
    assert facts["municipalities_not_named"] == 4
    assert "- und 4 weitere Gemeinden\n" in draft_for(utility).body


def test_one_further_municipality_is_singular():
    utility = UtilityFactory()
    for bfs in range(1, MAX_MUNICIPALITIES_NAMED + 2):
        utility.municipalities.add(MarketMunicipalityFactory(bfs_number=bfs))
    assert "- und eine weitere Gemeinde\n" in draft_for(utility).body


def test_the_draft_is_german_whatever_language_is_active(utility):
    with translation.override("fr-ch"):
        draft = draft_for(utility)
    assert draft.body.startswith("Sehr geehrte Damen und Herren\n\nSeit dem 1. Januar 2026 ")


def test_a_revision_is_a_new_draft_beside_the_original_marked_as_the_agents(utility):
    original = draft_for(utility)

    revision = services.outreach_draft_revise(
        draft=original,
        body="  Grüezi\n\nKurz und klar.  ",
        subject="LEG im Versorgungsgebiet",
        actor=None,
        door=Door.AGENT,
    )

    original.refresh_from_db()
    assert (revision.revision_of_id, revision.written_by_agent, revision.status, revision.door) == (
        original.pk,
        True,
        "draft",
        "agent",
    )
    assert (revision.subject, revision.body) == ("LEG im Versorgungsgebiet", "Grüezi\n\nKurz und klar.\n")
    assert (revision.utility_id, revision.template, revision.facts) == (utility.pk, original.template, original.facts)
    assert (original.status, original.subject) == (
        "draft",
        "Lokale Elektrizitätsgemeinschaften (LEG) bei Werke am See AG",
    )


def test_a_revision_without_a_subject_keeps_the_subject_and_a_person_s_revision_is_not_the_agents(utility):
    original = draft_for(utility)

    revision = services.outreach_draft_revise(draft=original, body="Neu", actor=None, door=Door.ADMIN)

    assert (revision.subject, revision.body, revision.written_by_agent) == (original.subject, "Neu\n", False)


def test_only_an_open_draft_can_be_revised_and_never_with_an_empty_text(utility):
    from openleg.errors import DomainError
    from pipeline.models import OutreachDraft

    original = draft_for(utility)
    with pytest.raises(DomainError) as empty:
        services.outreach_draft_revise(draft=original, body="  ", actor=None, door=Door.AGENT)
    assert (empty.value.field, empty.value.message) == ("body", "Der überarbeitete Text ist leer.")

    OutreachDraft.objects.filter(pk=original.pk).update(status="sent")
    original.refresh_from_db()
    with pytest.raises(DomainError) as sent:
        services.outreach_draft_revise(draft=original, body="Neu", actor=None, door=Door.AGENT)
    assert (sent.value.code, sent.value.message) == (
        "draft_closed",
        f"Der Entwurf {original.pk} ist bereits von Hand versandt; nur ein offener Entwurf kann überarbeitet werden.",
    )
    assert OutreachDraft.objects.count() == 1
