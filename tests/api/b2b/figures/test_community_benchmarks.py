from datetime import UTC, datetime

import pytest

from api.b2b.figures import community_benchmarks
from api.b2b.figures.community_benchmarks import CommunityBenchmarksAnswer, CommunityBenchmarksQuery
from api.b2b.figures.quantiles import QUANTILE_METHOD
from api.b2b.scope import ClientScope
from billing.models import BillingRun
from openleg.periods import local_month
from tests.api.b2b.figures.helpers import not_found, refused, validated
from tests.communities.factories import CommunityFactory
from tests.pipeline.factories import MunicipalityFactory

ANYONE = ClientScope()


def run(community, month, *, members, consumption, leg, production, status="issued", rp="9.0000", percent=40):
    """A billing run as billing stores it: energy totals in Wh, the membership and tariffs it used in its snapshot.
    Participant ``members`` also has a second metering point: members count participants, not points."""
    period = local_month(2026, month)
    membership = [{"participant": n, "metering_point": f"P{n}"} for n in range(1, members + 1)]
    membership.append({"participant": members, "metering_point": "second point"})
    return BillingRun.objects.create(
        community=community,
        year=2026,
        month=month,
        period_start=period.start,
        period_end=period.end,
        quarter_hours=period.quarter_hours,
        status=status,
        method="proportional",
        snapshot={"membership": membership, "grid_usage_rp_kwh": rp, "reduction_percent": percent},
        totals={
            "wh": {
                "consumption": consumption,
                "leg": leg,
                "grid": consumption - leg,
                "production": production,
                "delivered": leg,
                "surplus": production - leg,
            },
            "chf": {},
        },
        computed_at=datetime(2026, month + 1, 2, tzinfo=UTC),
    )


@pytest.fixture
def runs(db):
    zurich = MunicipalityFactory(bfs_number=9501, canton="ZH")
    aarau = MunicipalityFactory(bfs_number=9502, canton="AG")
    made = {name: CommunityFactory(name=name, municipality=zurich) for name in ("K1", "K2", "K3", "K4", "K5", "K6")}
    made["K7"] = CommunityFactory(name="K7", municipality=aarau)
    # LEG share 25 %, 40 %, 20 %, 50 %, 30 %; self-supply 50 %, 80 %, 100 %, 50 %, 75 %
    run(made["K1"], 6, members=4, consumption=1_000_000, leg=250_000, production=500_000)
    run(made["K2"], 6, members=8, consumption=2_000_000, leg=800_000, production=1_000_000)
    run(made["K3"], 6, members=12, consumption=3_000_000, leg=600_000, production=600_000, percent=20)
    run(made["K4"], 6, members=20, consumption=4_000_000, leg=2_000_000, production=4_000_000)
    made["K5 run"] = run(made["K5"], 6, members=25, consumption=5_000_000, leg=1_500_000, production=2_000_000)
    run(made["K6"], 6, members=30, consumption=9_000_000, leg=9_000_000, production=9_000_000, status="draft")
    run(made["K7"], 6, members=10, consumption=1_000_000, leg=100_000, production=200_000, status="approved")
    run(made["K1"], 7, members=5, consumption=1_000_000, leg=250_000, production=500_000)
    return made


def answer(params):
    return community_benchmarks.compute(ANYONE, validated(CommunityBenchmarksQuery, params))


def spread(communities, q1, median, q3):
    return {"communities": communities, "q1": q1, "median": median, "q3": q3, "reason": None}


def test_distributions_of_a_canton_month(runs):
    data = answer({"canton": "ZH", "year": 2026, "month": 6})
    assert (data["status"], data["communities"], data["quantile_method"]) == ("ok", 5, QUANTILE_METHOD)
    assert data["figures"] == {
        "members": spread(5, "8.0", "12.0", "20.0"),
        "leg_share_percent": spread(5, "25.0", "30.0", "40.0"),
        "self_supply_percent": spread(5, "50.0", "75.0", "80.0"),
        # 62.5, 100, 50, 100, 60 kWh
        "shared_kwh_per_member": spread(5, "60.000", "62.500", "100.000"),
        # LEG kWh × 9 Rp. × reduction / members: 2.25, 3.60, 0.90 (20 %), 3.60, 2.16
        "saving_chf_per_member": spread(5, "2.16", "2.25", "3.60"),
    }


def test_quartiles_interpolate_between_ranks(runs):
    data = answer({"year": 2026, "month": 6})  # all of Switzerland: K7 (approved, 10 %, 50 %) joins
    assert data["communities"] == 6
    assert data["figures"]["leg_share_percent"] == spread(6, "21.3", "27.5", "37.5")  # 21.25 rounds half up
    assert data["figures"]["self_supply_percent"] == spread(6, "50.0", "62.5", "78.8")  # 78.75 half up


def test_a_year_adds_up_each_communitys_runs(runs):
    data = answer({"canton": "ZH", "year": 2026})
    # K1 over June and July: 5 members at most, 500 kWh shared (100 per member), saving 18.00 / 5 = 3.60
    assert data["period"] == {"year": 2026, "month": None}
    assert data["figures"]["members"] == spread(5, "8.0", "12.0", "20.0")
    assert data["figures"]["shared_kwh_per_member"] == spread(5, "60.000", "100.000", "100.000")
    assert data["figures"]["saving_chf_per_member"] == spread(5, "2.16", "3.60", "3.60")


def test_k_anonymity_four_communities_give_no_figures(runs):
    runs["K5 run"].status = "cancelled"
    runs["K5 run"].save()
    data = answer({"canton": "ZH", "year": 2026, "month": 6})
    assert (data["status"], data["communities"], data["figures"]) == ("too_few_communities", 4, None)
    assert data["reason"] == (
        "Für diese Auswahl gibt es 4 Gemeinschaften mit freigegebener Abrechnung; Kennzahlen werden erst ab 5 "
        "Gemeinschaften gebildet."
    )


def test_a_size_band_selects_by_members(runs):
    data = answer({"year": 2026, "month": 6, "size_band": "11-30"})  # K3, K4, K5
    assert (data["status"], data["communities"], data["size_band"]) == ("too_few_communities", 3, "11-30")
    assert answer({"year": 2026, "month": 6, "size_band": "1-10"})["communities"] == 3  # K1, K2, K7


def test_a_figure_fewer_than_five_communities_qualify_for_is_withheld(runs):
    BillingRun.objects.filter(community=runs["K2"]).update(
        totals={"wh": {"consumption": 2_000_000, "leg": 0, "production": 0, "delivered": 0}, "chf": {}}
    )
    figures = answer({"canton": "ZH", "year": 2026, "month": 6})["figures"]
    assert figures["self_supply_percent"] == {
        "communities": 4,
        "q1": None,
        "median": None,
        "q3": None,
        "reason": "too_few_communities",
    }
    assert figures["leg_share_percent"]["communities"] == 5


def test_a_run_without_a_grid_usage_tariff_has_no_saving_figure(runs):
    BillingRun.objects.filter(community=runs["K4"]).update(
        snapshot={
            "membership": [{"participant": n} for n in range(20)],
            "grid_usage_rp_kwh": "",
            "reduction_percent": 40,
        }
    )
    figures = answer({"canton": "ZH", "year": 2026, "month": 6})["figures"]
    assert figures["saving_chf_per_member"]["communities"] == 4
    assert figures["saving_chf_per_member"]["median"] is None


def test_bad_parameters_name_the_field(db):
    assert list(refused(CommunityBenchmarksQuery, {})) == ["year"]
    assert list(refused(CommunityBenchmarksQuery, {"year": 2026, "month": 13})) == ["month"]
    assert list(refused(CommunityBenchmarksQuery, {"year": 2026, "size_band": "5-7"})) == ["size_band"]
    assert not_found(CommunityBenchmarksQuery, {"year": 2026, "canton": "ZZ"}).code == "not_found"


def test_one_query_whatever_the_number_of_communities(runs, django_assert_num_queries):
    query = validated(CommunityBenchmarksQuery, {"year": 2026})
    with django_assert_num_queries(1):
        community_benchmarks.compute(ANYONE, query)


def test_the_example_fits_the_answer_schema():
    serializer = CommunityBenchmarksAnswer(data=community_benchmarks.EXAMPLE)
    assert serializer.is_valid(), serializer.errors
