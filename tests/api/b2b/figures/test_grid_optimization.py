"""grid-optimization on the fixed data set of conftest.py: every figure hand-computed.

Proportional (no allocation setting): shared per slot min(P, C) = 0, 2000, 2000, 0, 2000 → 6000 Wh of 13,500 Wh
consumption (44.4 %) and 18,000 Wh production (33.3 %); fed in 0, 2000, 0, 10000, 0 → 12,000 Wh, peak 10,000 Wh
in a quarter-hour = 40 kW; production above consumption in slots 1 and 3 → 0.5 h; saving 6 kWh × 9.5 Rp. × 40 %
= CHF 0.228 → 0.23.
"""

from datetime import date
from decimal import Decimal

import pytest

from api.b2b.figures.grid_optimization import EXAMPLE, GridOptimizationAnswer, GridOptimizationQuery, compute
from api.b2b.figures.stored_year import load_year
from api.b2b.scope import ClientScope
from api.errors import ApiError
from billing.models import AllocationKey, AllocationSetting
from tests.api.b2b.figures.conftest import store_community
from tests.pipeline.factories import MunicipalityFactory

JUNE = {
    "month": "2025-06",
    "data": True,
    "consumption_kwh": "13.500",
    "production_kwh": "18.000",
    "shared_kwh": "6.000",
    "surplus_kwh": "12.000",
    "leg_share_percent": "44.4",
    "self_supply_percent": "33.3",
    "surplus_hours": "0.5",
    "feed_in_peak_kw": "40.000",
}


def query(scope=None, **params) -> dict:
    """The validated query as the view makes it: with the client's scope in the serializer's context."""
    serializer = GridOptimizationQuery(data=params, context={"scope": scope or ClientScope()})
    assert serializer.is_valid(), serializer.errors
    return serializer.validated_data


def test_every_month_and_the_year_from_the_stored_quarter_hours(stored):
    community, _participants, scope = stored

    answer = compute(scope, query(scope, community=community.pk))

    assert answer["year"] == 2025  # the last ended year with data (default)
    assert answer["data"] is True
    assert answer["canton"] == "ZH" and answer["municipality"] == 261 and answer["community"] == community.pk
    assert [m["month"] for m in answer["months"]] == [f"2025-{n:02d}" for n in range(1, 13)]
    assert answer["months"][5] == JUNE
    assert answer["months"][0] == {
        "month": "2025-01",
        "data": False,
        "reason": "Für diesen Monat sind keine Messwerte gespeichert.",
    }
    assert all(m["data"] is False for m in answer["months"] if m["month"] != "2025-06")
    assert answer["totals"] == {
        **{k: v for k, v in JUNE.items() if k not in ("month", "data")},
        "grid_saving_chf": "0.23",
    }
    assert answer["what_if"] is None
    assert GridOptimizationAnswer(data=answer).is_valid()


def test_allocation_follows_the_communitys_method_and_keys(stored):
    """Static keys 1:1, one round: slot 4 offers 1000 Wh each, A1 takes its 500, the other 500 Wh go to the grid."""
    community, (a1, a2, _producer), scope = stored
    setting = AllocationSetting.objects.create(community=community, method="static", effective_from=date(2025, 1, 1))
    AllocationKey.objects.create(setting=setting, participant=a1, weight=Decimal("0.5"))
    AllocationKey.objects.create(setting=setting, participant=a2, weight=Decimal("0.5"))

    totals = compute(scope, query(scope, community=community.pk, year=2025))["totals"]

    assert totals["shared_kwh"] == "5.500"
    assert totals["surplus_kwh"] == "12.500"
    assert totals["leg_share_percent"] == "40.7"
    assert totals["self_supply_percent"] == "30.6"
    assert totals["grid_saving_chf"] == "0.21"  # 5.5 kWh × 9.5 Rp. × 40 % = 0.209


def test_only_quarter_hours_of_membership_count_as_the_billing_counts_them(stored):
    """A2 leaves on 9 June: its values of 10 June are not the community's. Consumption 1000 + 1000 + 2000 + 500 =
    4500 Wh, shared min(P, C) = 0 + 1000 + 2000 + 0 + 500 = 3500 Wh (77.8 %), fed in 18,000 − 3,500 = 14,500 Wh."""
    community, (_a1, a2, _producer), scope = stored
    a2.memberships.update(valid_to=date(2025, 6, 9))

    totals = compute(scope, query(scope, community=community.pk, year=2025))["totals"]

    assert totals["consumption_kwh"] == "4.500"
    assert totals["shared_kwh"] == "3.500"
    assert totals["surplus_kwh"] == "14.500"
    assert totals["leg_share_percent"] == "77.8"


def test_the_year_has_its_zurich_months_with_both_clock_changes(stored):
    community, _participants, _scope = stored

    year = load_year(community, 2025)

    assert year.slots == 35040
    assert [month.slots for month in year.months] == [
        2976,
        2688,
        2972,
        2880,
        2976,
        2880,
        2976,
        2976,
        2880,
        2980,
        2880,
        2976,
    ]
    assert year.months[5].start == 2976 + 2688 + 2972 + 2880 + 2976


def test_the_year_loads_in_a_few_queries_whatever_its_length(stored, django_assert_num_queries):
    """Memberships, allocation settings (and their keys, when there are settings), all series in one."""
    community, (a1, a2, _producer), scope = stored
    setting = AllocationSetting.objects.create(community=community, method="static", effective_from=date(2025, 1, 1))
    AllocationKey.objects.create(setting=setting, participant=a1, weight=Decimal("0.5"))
    AllocationKey.objects.create(setting=setting, participant=a2, weight=Decimal("0.5"))
    community = type(community).objects.select_related("utility").get(pk=community.pk)

    with django_assert_num_queries(4):
        load_year(community, 2025)
    with django_assert_num_queries(5):  # and the community, scoped to the client
        compute(scope, {"community": community.pk, "year": 2025, "add_pv_kwp": Decimal(5)})


def test_without_a_grid_tariff_the_saving_is_not_a_figure(municipality):
    community, _participants = store_community(vnb_number="100556", municipality=municipality, grid_usage=None)

    scope = ClientScope(utility_id=community.utility_id)

    answer = compute(scope, query(scope, community=community.pk))

    assert answer["totals"]["grid_saving_chf"] is None
    assert answer["reason"] == (
        "Beim Netzbetreiber ist kein Netznutzungstarif erfasst: die Einsparung lässt sich nicht beziffern."
    )


def test_a_municipality_sums_its_communities_for_any_client(stored, municipality):
    store_community(vnb_number="100557", municipality=municipality)

    answer = compute(ClientScope(), query(ClientScope(), municipality=261))

    assert answer["community"] is None and answer["communities"] == 2 and answer["canton"] == "ZH"
    assert answer["totals"] == {
        "consumption_kwh": "27.000",
        "production_kwh": "36.000",
        "shared_kwh": "12.000",
        "surplus_kwh": "24.000",
        "leg_share_percent": "44.4",
        "self_supply_percent": "33.3",
        "surplus_hours": "0.5",
        "feed_in_peak_kw": "80.000",
        "grid_saving_chf": "0.46",
    }


def test_canton_of_the_community_or_municipality_is_in_the_validated_query(stored):
    community, _participants, scope = stored
    MunicipalityFactory(bfs_number=4001, canton="AG")

    assert GridOptimizationQuery(data={"community": community.pk}, context={"scope": scope}).is_valid()
    serializer = GridOptimizationQuery(data={"municipality": 4001})
    assert serializer.is_valid()
    assert serializer.validated_data["canton"] == "AG"


def test_another_utilitys_community_is_not_found_like_an_unknown_one(stored, municipality):
    community, _participants, _scope = stored
    other, _ = store_community(vnb_number="100558", municipality=municipality)
    stranger = ClientScope(utility_id=other.utility_id)

    with pytest.raises(ApiError) as foreign:
        compute(stranger, {"community": community.pk})  # compute checks too, whatever the door validated
    with pytest.raises(ApiError) as unknown:
        compute(stranger, {"community": 999999})
    with pytest.raises(ApiError) as in_validation:
        GridOptimizationQuery(data={"community": community.pk}, context={"scope": stranger}).is_valid()
    with pytest.raises(ApiError) as without_utility:
        compute(ClientScope(), {"community": community.pk})

    assert foreign.value.status == unknown.value.status == 404
    assert foreign.value.code == unknown.value.code == "not_found"
    assert foreign.value.message == f"Gemeinschaft «{community.pk}» gibt es nicht."
    assert in_validation.value.body() == foreign.value.body() == without_utility.value.body()


def test_unknown_municipality_is_not_found(db):
    with pytest.raises(ApiError) as error:
        GridOptimizationQuery(data={"municipality": 9998}).is_valid()

    assert error.value.status == 404
    assert error.value.message == "Gemeinde «9998» gibt es nicht."


def test_a_year_without_data_says_so(stored):
    community, _participants, scope = stored

    answer = compute(scope, query(scope, community=community.pk, year=2024))

    assert answer["data"] is False
    assert answer["reason"] == "Für 2024 sind keine Messwerte gespeichert."
    assert answer["months"] == [] and answer["totals"] is None
    assert GridOptimizationAnswer(data=answer).is_valid()


def test_a_community_without_any_data_has_no_default_year(municipality):
    from tests.communities.factories import CommunityFactory

    community = CommunityFactory(municipality=municipality)

    scope = ClientScope(utility_id=community.utility_id)

    answer = compute(scope, query(scope, community=community.pk))

    assert answer["year"] is None and answer["data"] is False
    assert answer["reason"] == "Es sind keine Messwerte aus einem abgeschlossenen Jahr gespeichert."


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"community": 1, "add_pv_kwp": "-1"}, "add_pv_kwp", "Die zusätzliche PV-Leistung darf nicht negativ sein."),
        (
            {"community": 1, "battery_kwh": "10", "battery_kw": "0"},
            "battery_kw",
            "Die Batterieleistung muss grösser als 0 kW sein.",
        ),
        (
            {"community": 1, "battery_kwh": "-5", "battery_kw": "5"},
            "battery_kwh",
            "Die Batteriekapazität muss grösser als 0 kWh sein.",
        ),
        (
            {"community": 1, "battery_kwh": "10"},
            "battery_kw",
            "Für eine Batterie braucht es Kapazität (kWh) und Leistung (kW).",
        ),
        (
            {"community": 1, "battery_kwh": "10", "battery_kw": "5", "battery_efficiency": "1.01"},
            "battery_efficiency",
            "Der Wirkungsgrad muss grösser als 0 und höchstens 1 sein.",
        ),
        (
            {"community": 1, "battery_kwh": "10", "battery_kw": "5", "battery_efficiency": "0"},
            "battery_efficiency",
            "Der Wirkungsgrad muss grösser als 0 und höchstens 1 sein.",
        ),
        ({}, "community", "Bitte genau eines angeben: eine Gemeinschaft oder eine Gemeinde."),
        (
            {"community": 1, "municipality": 261},
            "community",
            "Bitte genau eines angeben: eine Gemeinschaft oder eine Gemeinde.",
        ),
        (
            {"municipality": 261, "add_pv_kwp": "5"},
            "add_pv_kwp",
            "Eine Was-wäre-wenn-Rechnung gibt es nur für eine einzelne Gemeinschaft.",
        ),
        ({"community": 1, "pv_producer": 3}, "pv_producer", "Ein Produzent gilt nur mit add_pv_kwp."),
    ],
)
def test_impossible_parameters_name_the_field(db, params, field, message):
    serializer = GridOptimizationQuery(data=params)

    assert not serializer.is_valid()
    assert serializer.errors == {field: [message]}


def test_the_example_has_the_answers_shape():
    serializer = GridOptimizationAnswer(data=EXAMPLE)

    assert serializer.is_valid(), serializer.errors
    assert set(EXAMPLE) == set(GridOptimizationAnswer().fields)
