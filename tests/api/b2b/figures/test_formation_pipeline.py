from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from api.b2b.figures import formation_pipeline
from api.b2b.figures.formation_pipeline import FormationPipelineAnswer, FormationPipelineQuery
from api.b2b.scope import ClientScope
from communities.models import Community, FormationStep
from tests.api.b2b.figures.helpers import not_found, validated
from tests.communities.factories import CommunityFactory, MembershipFactory, MeteringPointFactory
from tests.pipeline.factories import MunicipalityFactory, UtilityFactory

FUTURE_START = date(2030, 1, 1)  # far enough after any registration: the start date rule passes


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def community(name, utility, municipality, created, status, steps=()):
    made = CommunityFactory(name=name, utility=utility, municipality=municipality, start_date=FUTURE_START)
    Community.objects.filter(pk=made.pk).update(created_at=created, status=status)
    for from_status, to_status, moment in steps:
        step = FormationStep.objects.create(community=made, from_status=from_status, to_status=to_status, door="admin")
        FormationStep.objects.filter(pk=step.pk).update(at=moment)
    return made


@pytest.fixture
def pipeline(db):
    uster = MunicipalityFactory(bfs_number=9301, name="Uster", canton="ZH")
    dietikon = MunicipalityFactory(bfs_number=9302, name="Dietikon", canton="ZH")
    aarau = MunicipalityFactory(bfs_number=9401, name="Aarau", canton="AG")
    ours, theirs = UtilityFactory(name="Werk Uster"), UtilityFactory(name="Werk Dietikon")
    alpha = community(
        "LEG Alpha",
        ours,
        uster,
        at(2026, 1, 1),
        "eligible",
        [
            ("draft", "participants_complete", at(2026, 1, 11)),  # 10 days in draft
            ("participants_complete", "eligible", at(2026, 1, 16)),  # 5 days complete
        ],
    )
    # no metering point yet: every rule about the points fails, and the production minimum
    beta = community(
        "LEG Beta",
        theirs,
        uster,
        at(2026, 1, 1),
        "participants_complete",
        [("draft", "participants_complete", at(2026, 1, 21))],
    )
    gamma = community(
        "LEG Gamma",
        ours,
        dietikon,
        at(2026, 2, 1),
        "participants_complete",
        [("draft", "participants_complete", at(2026, 2, 4, 12))],  # 3.5 days
    )
    # a prosumer whose meter is not smart yet: only that rule fails
    MembershipFactory(
        participant__community=gamma,
        participant__role="prosumer",
        metering_point=MeteringPointFactory(
            utility=ours,
            municipality=dietikon,
            has_smart_meter=False,
            connection_capacity_kw=Decimal("25"),
            installed_capacity_kwp=Decimal("25"),
        ),
    )
    delta = community("LEG Delta", theirs, dietikon, at(2026, 3, 1), "draft")
    community(
        "LEG Aarau",
        ours,
        aarau,
        at(2026, 1, 1),
        "participants_complete",
        [("draft", "participants_complete", at(2026, 1, 2))],
    )
    return {"ours": ours, "theirs": theirs, "alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta}


def answer(scope, params):
    return formation_pipeline.compute(scope, validated(FormationPipelineQuery, params))


def test_counts_per_state_median_days_and_blocked_rules_of_a_canton(pipeline):
    data = answer(ClientScope(), {"canton": "ZH"})
    assert data["communities"] == 4
    assert {row["status"]: row["communities"] for row in data["states"] if row["communities"]} == {
        "draft": 1,
        "participants_complete": 2,
        "eligible": 1,
    }
    assert len(data["states"]) == 10 and data["states"][0] == {"status": "draft", "label": "Entwurf", "communities": 1}
    medians = {row["status"]: (row["stays"], row["median_days"]) for row in data["median_days"]}
    assert medians["draft"] == (3, "10.0")  # 10, 20 and 3.5 days
    assert medians["participants_complete"] == (1, "5.0")
    assert medians["eligible"] == (0, None)  # alpha is still there: no completed stay
    assert data["blocked"] == {
        "communities": 2,
        "by_rule": [
            {"rule": "grid_level", "communities": 1},
            {"rule": "min_production", "communities": 1},
            {"rule": "reduction_rate", "communities": 1},
            {"rule": "same_municipality", "communities": 1},
            {"rule": "same_vnb", "communities": 1},
            {"rule": "smart_meter", "communities": 2},
        ],
    }


def test_a_client_without_a_utility_sees_no_names_and_no_ids(pipeline):
    data = answer(ClientScope(), {"canton": "ZH"})
    assert "own_communities" not in data
    text = str(data)
    assert "LEG" not in text and "Beta" not in text


def test_a_utility_client_sees_its_own_communities_one_by_one(pipeline):
    data = answer(ClientScope(utility_id=pipeline["ours"].pk), {"canton": "ZH"})
    assert data["own_communities"] == [
        {
            "id": pipeline["alpha"].pk,
            "name": "LEG Alpha",
            "status": "eligible",
            "since": "2026-01-16T00:00:00Z",
            "blocking_rules": [],
        },
        {
            "id": pipeline["gamma"].pk,
            "name": "LEG Gamma",
            "status": "participants_complete",
            "since": "2026-02-04T12:00:00Z",
            "blocking_rules": ["smart_meter"],
        },
    ]


def test_a_municipality_narrows_the_area_and_a_community_without_steps_is_in_its_state_since_creation(pipeline):
    data = answer(ClientScope(utility_id=pipeline["theirs"].pk), {"municipality": 9302})
    assert data["communities"] == 2
    assert data["own_communities"] == [
        {
            "id": pipeline["delta"].pk,
            "name": "LEG Delta",
            "status": "draft",
            "since": "2026-03-01T00:00:00Z",
            "blocking_rules": [],
        }
    ]


def test_unknown_canton_is_404(pipeline):
    assert not_found(FormationPipelineQuery, {"canton": "QQ"}).code == "not_found"


def test_the_example_fits_the_answer_schema():
    serializer = FormationPipelineAnswer(data=formation_pipeline.EXAMPLE)
    assert serializer.is_valid(), serializer.errors
