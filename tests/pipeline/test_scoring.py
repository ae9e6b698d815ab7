from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.scoring import ScoreInputs, ScoreReferences, score
from pipeline.selectors import score_inputs_of
from tests.pipeline.factories import MarketMunicipalityFactory, MunicipalityFactory, UtilityFactory

WEIGHTS = {"population": 30, "solar": 30, "competition": 25, "smart_meters": 15}
REFERENCES = ScoreReferences(
    population_half=20_000,
    untapped_solar_half_mwh=Decimal(100_000),
    pv_yield_kwh_per_kwp=Decimal(1000),
    smart_meter_share_default=Decimal("0.5"),
)


def inputs(**changes) -> ScoreInputs:
    fields = {
        "municipalities": 3,
        "population": 20_000,
        "population_recorded": 3,
        "roof_potential_mwh": Decimal("130000.0"),
        "installed_pv_kwp": Decimal("30000.0"),
        "solar_recorded": 3,
        "competitor": "",
        "smart_meter_share": Decimal("0.600"),
        "references": REFERENCES,
    }
    return ScoreInputs(**{**fields, **changes})


def test_every_factor_at_its_reference_figure():
    result = score(inputs(), WEIGHTS)

    assert result.total == 64
    assert {name: (p.weight, p.value, p.points) for name, p in result.parts.items()} == {
        "population": (30, Decimal("0.500"), Decimal("15.0")),
        "solar": (30, Decimal("0.500"), Decimal("15.0")),
        "competition": (25, Decimal("1.000"), Decimal("25.0")),
        "smart_meters": (15, Decimal("0.600"), Decimal("9.0")),
    }
    assert {name: p.explanation for name, p in result.parts.items()} == {
        "population": "20'000 Einwohner in den versorgten Gemeinden (Einwohnerzahl erfasst für 3 von 3 Gemeinden); "
        "20'000 Einwohner ergeben den halben Wert.",
        "solar": "Dachpotenzial 130'000 MWh/Jahr, davon erzeugen 30'000 kWp installierte Photovoltaik rund "
        "30'000 MWh/Jahr (1'000 kWh pro kWp): ungenutzt 100'000 MWh/Jahr (erfasst für 3 von 3 Gemeinden); "
        "100'000 MWh/Jahr ergeben den halben Wert.",
        "competition": "Keine LEG-Plattform und kein eigenes LEG-Angebot des Netzbetreibers bekannt.",
        "smart_meters": "60 % der Messpunkte haben ein intelligentes Messsystem (nötig für jede LEG).",
    }


def test_a_competitor_takes_the_competition_points_and_the_smart_meter_default_applies():
    result = score(
        inputs(population=60_000, roof_potential_mwh=Decimal(330_000), competitor="Swibi", smart_meter_share=None),
        WEIGHTS,
    )
    assert [(p.value, p.points) for p in result.parts.values()] == [
        (Decimal("0.750"), Decimal("22.5")),
        (Decimal("0.750"), Decimal("22.5")),
        (Decimal("0.000"), Decimal("0.0")),
        (Decimal("0.500"), Decimal("7.5")),
    ]
    assert result.total == 53  # 52.5 rounds half up
    assert result.parts["competition"].explanation == "Der Netzbetreiber nutzt für LEG bereits «Swibi»: 0 Punkte."
    assert result.parts["smart_meters"].explanation == (
        "Anteil intelligenter Messsysteme nicht erfasst; gerechnet wird mit dem Standardwert 50 %."
    )


def test_missing_market_data_scores_zero_and_says_so():
    result = score(
        inputs(
            municipalities=0,
            population=None,
            population_recorded=0,
            roof_potential_mwh=None,
            installed_pv_kwp=None,
            solar_recorded=0,
        ),
        WEIGHTS,
    )
    assert (result.parts["population"].points, result.parts["solar"].points) == (Decimal("0.0"), Decimal("0.0"))
    assert result.parts["population"].explanation == "Keine Einwohnerzahlen der versorgten Gemeinden erfasst: 0 Punkte."
    assert result.parts["solar"].explanation == (
        "Solarpotenzial oder installierte Photovoltaik der Gemeinden nicht erfasst: 0 Punkte."
    )
    assert result.total == 34  # 25 + 9


def test_more_pv_than_roof_potential_leaves_nothing_untapped():
    result = score(inputs(roof_potential_mwh=Decimal(1000), installed_pv_kwp=Decimal(2000)), WEIGHTS)
    assert (result.parts["solar"].value, result.parts["solar"].points) == (Decimal("0.000"), Decimal("0.0"))
    assert "ungenutzt 0 MWh/Jahr" in result.parts["solar"].explanation


def test_the_breakdown_as_json():
    assert score(inputs(), WEIGHTS).as_json()["parts"]["smart_meters"] == {
        "weight": 15,
        "value": 0.6,
        "points": 9.0,
        "explanation": "60 % der Messpunkte haben ein intelligentes Messsystem (nötig für jede LEG).",
    }


@pytest.mark.parametrize(
    "weights",
    [
        {"population": 30, "solar": 30, "competition": 25, "smart_meters": 10},
        {"population": 30, "solar": 30, "competition": 40},
        {"population": 30, "solar": 30, "competition": 25, "smart_meters": 15, "size": 0},
        {"population": 110, "solar": 0, "competition": 5, "smart_meters": -15},
    ],
)
def test_weights_must_name_every_factor_and_add_up_to_100(weights):
    with pytest.raises(ValueError):
        score(inputs(), weights)


figures = st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=1))


@given(
    population=st.one_of(st.none(), st.integers(min_value=0, max_value=10**8)),
    roof=figures,
    installed=figures,
    share=st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=3)),
    competitor=st.sampled_from(["", "Swibi"]),
)
def test_the_total_stays_within_0_and_100_and_is_the_rounded_sum(population, roof, installed, share, competitor):
    solar = roof is not None and installed is not None
    result = score(
        inputs(
            population=population,
            population_recorded=0 if population is None else 1,
            roof_potential_mwh=roof if solar else None,
            installed_pv_kwp=installed if solar else None,
            solar_recorded=1 if solar else 0,
            smart_meter_share=share,
            competitor=competitor,
        ),
        WEIGHTS,
    )
    assert 0 <= result.total <= 100
    assert abs(result.total - sum(p.points for p in result.parts.values())) <= Decimal("0.5")
    assert all(Decimal(0) <= p.value <= 1 for p in result.parts.values())


@pytest.mark.django_db
def test_inputs_are_gathered_in_one_query_and_count_what_is_recorded(django_assert_num_queries):
    utility = UtilityFactory(competitor="eigene Lösung", smart_meter_share=Decimal("0.250"))
    utility.municipalities.add(
        MarketMunicipalityFactory(bfs_number=1),
        MarketMunicipalityFactory(bfs_number=2, population=None, installed_pv_kwp=None),
        MunicipalityFactory(bfs_number=3),
    )
    UtilityFactory().municipalities.add(MarketMunicipalityFactory(bfs_number=4))

    with django_assert_num_queries(1):
        gathered = score_inputs_of(utility)

    assert gathered == ScoreInputs(
        municipalities=3,
        population=5000,
        population_recorded=1,
        roof_potential_mwh=Decimal("30000.0"),
        installed_pv_kwp=Decimal("4000.0"),
        solar_recorded=1,
        competitor="eigene Lösung",
        smart_meter_share=Decimal("0.250"),
        references=REFERENCES,
    )


@pytest.mark.django_db
def test_a_utility_without_municipalities_has_empty_inputs():
    gathered = score_inputs_of(UtilityFactory())
    assert (gathered.municipalities, gathered.population, gathered.population_recorded, gathered.solar_recorded) == (
        0,
        None,
        0,
        0,
    )
