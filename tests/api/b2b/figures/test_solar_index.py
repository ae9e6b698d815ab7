from decimal import Decimal

import pytest

from api.b2b.figures import solar_index
from api.b2b.figures.solar_index import SolarIndexAnswer, SolarIndexQuery
from api.b2b.scope import ClientScope
from tests.api.b2b.figures.helpers import not_found, refused, validated
from tests.pipeline.factories import MunicipalityFactory

ANYONE = ClientScope()


@pytest.fixture
def market(db, settings):
    settings.PIPELINE_PV_YIELD_KWH_PER_KWP = Decimal("1000")
    return {
        "uster": MunicipalityFactory(
            bfs_number=9101,
            name="Uster",
            canton="ZH",
            installed_pv_kwp=Decimal("4000.0"),
            roof_potential_mwh=Decimal("30000.0"),
        ),
        "wetzikon": MunicipalityFactory(
            bfs_number=9102,
            name="Wetzikon",
            canton="ZH",
            installed_pv_kwp=Decimal("2500.5"),
            roof_potential_mwh=Decimal("12000.0"),
        ),
        # only one of the two figures recorded: does not count
        "hinwil": MunicipalityFactory(bfs_number=9103, name="Hinwil", canton="ZH", installed_pv_kwp=Decimal("900")),
        "aarau": MunicipalityFactory(bfs_number=9201, name="Aarau", canton="AG"),
    }


def answer(params):
    return solar_index.compute(ANYONE, validated(SolarIndexQuery, params))


def test_a_canton_sums_its_municipalities_with_both_figures(market):
    assert answer({"canton": "zh"}) == {
        "place": {"level": "canton", "canton": "ZH", "municipality": None},
        "data": True,
        "reason": None,
        "municipalities": 3,
        "municipalities_with_data": 2,
        "installed_pv_kwp": "6500.5",
        "roof_potential_mwh": "42000.0",
        "produced_mwh": "6500.5",
        "pv_yield_kwh_per_kwp": "1000",
        "untapped_share_percent": "84.5",  # (42000 − 6500.5) / 42000 = 84.52 %
    }


def test_a_municipality_uses_the_assumed_yield(market, settings):
    settings.PIPELINE_PV_YIELD_KWH_PER_KWP = Decimal("950")
    data = answer({"municipality": 9101})
    assert data["place"] == {
        "level": "municipality",
        "canton": "ZH",
        "municipality": {"bfs_number": 9101, "name": "Uster"},
    }
    assert (data["installed_pv_kwp"], data["produced_mwh"], data["untapped_share_percent"]) == (
        "4000.0",
        "3800.0",
        "87.3",  # (30000 − 3800) / 30000 = 87.33 %
    )
    assert validated(SolarIndexQuery, {"municipality": 9101})["canton"] == "ZH"


def test_without_market_data_the_answer_says_so_instead_of_zeros(market):
    data = answer({"canton": "AG"})
    assert data["data"] is False
    assert data["reason"] == "Für dieses Gebiet sind keine Marktdaten (installierte PV und Dachpotenzial) erfasst."
    assert (data["municipalities"], data["municipalities_with_data"]) == (1, 0)
    assert [data[name] for name in ("installed_pv_kwp", "roof_potential_mwh", "untapped_share_percent")] == [None] * 3


def test_all_of_switzerland_when_no_place_is_asked(market):
    query = validated(SolarIndexQuery, {})
    assert query["canton"] is None
    data = solar_index.compute(ANYONE, query)
    assert (data["place"]["level"], data["municipalities"], data["installed_pv_kwp"]) == ("switzerland", 4, "6500.5")


def test_unknown_places_are_404_with_a_code(market):
    error = not_found(SolarIndexQuery, {"canton": "XY"})
    assert (error.code, error.message, error.details) == (
        "not_found",
        "Kanton «XY» gibt es nicht.",
        {"object": "Kanton", "key": "XY"},
    )
    assert not_found(SolarIndexQuery, {"municipality": 9999}).message == "Gemeinde «9999» gibt es nicht."


def test_a_municipality_outside_the_asked_canton_is_refused_naming_the_field(market):
    assert refused(SolarIndexQuery, {"canton": "AG", "municipality": 9101}) == {
        "municipality": ["Die Gemeinde Uster liegt nicht im Kanton AG."]
    }
    assert list(refused(SolarIndexQuery, {"municipality": "zwei"})) == ["municipality"]


def test_the_example_fits_the_answer_schema():
    assert SolarIndexAnswer(data=solar_index.EXAMPLE).is_valid(), SolarIndexAnswer(data=solar_index.EXAMPLE).errors
