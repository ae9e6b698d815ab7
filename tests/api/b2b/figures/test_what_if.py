"""The what-if rerun over the stored year (conftest.py's data) and the battery on a hand-checked week."""

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.b2b.figures.battery import Battery, run_battery
from api.b2b.figures.grid_optimization import GridOptimizationAnswer, GridOptimizationQuery, compute
from api.b2b.scope import ClientScope
from api.errors import ApiError
from communities.models import MeteringPoint


def query(scope=None, **params) -> dict:
    """The validated query as the view makes it: with the client's scope in the serializer's context."""
    serializer = GridOptimizationQuery(data=params, context={"scope": scope or ClientScope()})
    assert serializer.is_valid(), serializer.errors
    return serializer.validated_data


TODAY = {
    "leg_share_percent": "44.4",
    "self_supply_percent": "33.3",
    "shared_kwh": "6.000",
    "surplus_kwh": "12.000",
    "production_kwh": "18.000",
    "grid_saving_chf": "0.23",
}


def test_more_pv_scales_the_largest_producers_measured_profile(stored):
    """+5 kWp on 10 kWp: production × 1.5 = 0, 6000, 3000, 15000, 3000 (27 kWh); shared min(P, C) =
    0, 2000, 3000, 0, 3000 = 8000 Wh of 13,500 (59.3 %) and of 27,000 (29.6 %); fed in 19 kWh; saving 8 kWh × 9.5 Rp.
    × 40 % = 0.304 → 0.30."""
    community, (_a1, _a2, producer), scope = stored

    what_if = compute(scope, query(scope, community=community.pk, add_pv_kwp="5"))["what_if"]

    assert what_if["parameters"]["pv_producer"] == producer.pk  # the largest (here the only) producer by default
    assert what_if["parameters"]["pv_producer_installed_kwp"] == "10.000"
    assert what_if["today"] == TODAY
    assert what_if["scenario"] == {
        "leg_share_percent": "59.3",
        "self_supply_percent": "29.6",
        "shared_kwh": "8.000",
        "surplus_kwh": "19.000",
        "production_kwh": "27.000",
        "grid_saving_chf": "0.30",
    }
    assert what_if["difference"] == {
        "leg_share_percent": "14.9",
        "self_supply_percent": "-3.7",
        "shared_kwh": "2.000",
        "surplus_kwh": "7.000",
        "production_kwh": "9.000",
        "grid_saving_chf": "0.07",
    }
    assert what_if["battery"] is None


def test_a_community_battery_over_the_stored_year(stored):
    """5 kWh, 8 kW (2000 Wh a quarter-hour), η 0.9 on charging. Net production P − C per slot:

        slot   net     charge  stored  discharge  state   shared (P + discharge vs C)
        0     −4000        0       0          0       0        0
        1     +2000     2000    1800          0    1800     2000
        2     −2000        0       0       1800       0     3800 (2000 + 1800 of 4000)
        3    +10000     2000    1800          0    1800        0
        4     −1500        0       0       1500     300     3500

    shared 9300 Wh (68.9 % of 13,500); fed in 18,000 + 3,300 − 9,300 − 4,000 = 8,000 Wh; self-supply
    (18,000 − 8,000) / 18,000 = 55.6 %; saving 9.3 kWh × 9.5 Rp. × 40 % = 0.3534 → 0.35.
    """
    community, _participants, scope = stored

    answer = compute(
        scope, query(scope, community=community.pk, battery_kwh="5", battery_kw="8", battery_efficiency="0.9")
    )
    what_if = answer["what_if"]

    assert what_if["scenario"] == {
        "leg_share_percent": "68.9",
        "self_supply_percent": "55.6",
        "shared_kwh": "9.300",
        "surplus_kwh": "8.000",
        "production_kwh": "18.000",
        "grid_saving_chf": "0.35",
    }
    assert what_if["difference"]["leg_share_percent"] == "24.5"
    assert what_if["difference"]["surplus_kwh"] == "-4.000"
    assert what_if["difference"]["grid_saving_chf"] == "0.12"
    assert what_if["battery"] == {
        "charged_kwh": "4.000",
        "discharged_kwh": "3.300",
        "stored_at_year_end_kwh": "0.300",
        "losses_kwh": "0.400",
    }
    assert what_if["parameters"]["battery_efficiency"] == "0.900"
    assert GridOptimizationAnswer(data=answer).is_valid(), GridOptimizationAnswer(data=answer).errors


def test_pv_and_battery_together(stored):
    """Production × 1.5 (see above), net = −4000, +4000, −1000, +15000, −500; battery 5 kWh, 8 kW, η 0.9:
    slot 1 charges 2000 (stores 1800), slot 2 gives 1000 (800 left), slot 3 charges 2000 (stores 1800 → 2600),
    slot 4 gives 500 (2100 left). Shared 0 + 2000 + 4000 + 0 + 3500 = 9500 Wh; fed in 27,000 + 1,500 − 9,500 −
    4,000 = 15,000 Wh."""
    community, _participants, scope = stored

    what_if = compute(scope, query(scope, community=community.pk, add_pv_kwp="5", battery_kwh="5", battery_kw="8"))[
        "what_if"
    ]

    assert what_if["scenario"]["shared_kwh"] == "9.500"
    assert what_if["scenario"]["surplus_kwh"] == "15.000"
    assert what_if["battery"]["stored_at_year_end_kwh"] == "2.100"
    assert what_if["battery"]["losses_kwh"] == "0.400"


def test_a_producer_without_installed_kwp_cannot_be_scaled(stored):
    community, (_a1, _a2, producer), scope = stored
    MeteringPoint.objects.filter(memberships__participant=producer).update(installed_capacity_kwp=0)

    with pytest.raises(ApiError) as error:
        compute(scope, query(scope, community=community.pk, add_pv_kwp="5"))

    assert error.value.status == 400
    assert error.value.details == {
        "fields": {
            "pv_producer": [
                f"Für den Messpunkt von Teilnehmer {producer.pk} ist keine installierte Leistung (kWp) erfasst; "
                "ohne sie lässt sich die zusätzliche Produktion nicht aus dem gemessenen Profil skalieren."
            ]
        }
    }


def test_more_pv_than_the_allocation_engine_reckons_with_is_refused(stored):
    """The measured peak is 10,000 Wh on 10 kWp: +9,990 kWp gives exactly 10^7 Wh (allowed), +9,990.001 more."""
    community, (_a1, _a2, producer), scope = stored

    assert (
        compute(scope, query(scope, community=community.pk, add_pv_kwp="9990"))["what_if"]["scenario"]["production_kwh"]
        == "18000.000"
    )  # 18 kWh × 1000
    with pytest.raises(ApiError) as error:
        compute(scope, query(scope, community=community.pk, add_pv_kwp="9990.001"))

    assert error.value.status == 400
    assert error.value.details == {
        "fields": {
            "add_pv_kwp": [
                f"Mit 9990.001 kWp mehr produzierte Teilnehmer {producer.pk} in einer Viertelstunde über 10 MWh "
                "(über 40 MW); so grosse Anlagen rechnet die Simulation nicht."
            ]
        }
    }


def test_a_consumer_is_no_pv_producer(stored):
    community, (a1, _a2, _producer), scope = stored

    with pytest.raises(ApiError) as error:
        compute(scope, query(scope, community=community.pk, add_pv_kwp="5", pv_producer=a1.pk))

    assert error.value.status == 400
    assert error.value.details == {
        "fields": {"pv_producer": [f"Teilnehmer {a1.pk} produziert 2025 nicht in dieser Gemeinschaft."]}
    }


def test_a_battery_week_by_hand():
    """10 kWh, 4 kW (1000 Wh a quarter-hour), η 0.9 on charging. Every day: 1500 Wh surplus in slots 44–51
    (11:00–13:00), 1000 Wh deficit in slots 72–75 (18:00–19:00), nothing else.

    Day 1 charges 8 × 1000 (stores 8 × 900 = 7200) and gives 4 × 1000 → 3200. Day 2 charges 7 × 1000 (3200 + 6300
    = 9500), then only the 556 Wh whose 90 % (500.4 → 500) fill it: 10,000; evening → 6000. From day 3 on: 4 × 1000
    (→ 9600), then 445 Wh (400.5 → 400) fill it, the last three surplus slots charge nothing; evening → 6000.

        slot (of week)  net    charge  discharge  state
        44               1500    1000         0     900    day 1
        75              −1000       0      1000    3200
        96 + 50          1500    1000         0    9500    day 2
        96 + 51          1500     556         0   10000
        96 + 72         −1000       0      1000    9000
        192 + 47         1500    1000         0    9600    day 3
        192 + 48         1500     445         0   10000
        192 + 49         1500       0         0   10000
        192 + 75        −1000       0      1000    6000
    """
    day = np.zeros(96, np.int64)
    day[44:52] = 1500
    day[72:76] = -1000
    week = np.tile(day, 7)

    run = run_battery(
        Battery.from_figures(capacity_kwh=Decimal(10), power_kw=Decimal(4), efficiency=Decimal("0.9")), week
    )

    table = [
        (44, 1000, 0, 900),
        (75, 0, 1000, 3200),
        (96 + 50, 1000, 0, 9500),
        (96 + 51, 556, 0, 10000),
        (96 + 72, 0, 1000, 9000),
        (192 + 47, 1000, 0, 9600),
        (192 + 48, 445, 0, 10000),
        (192 + 49, 0, 0, 10000),
        (192 + 75, 0, 1000, 6000),
    ]
    assert [(slot, run.charge[slot], run.discharge[slot], run.state[slot]) for slot, *_ in table] == table
    assert int(run.charge.sum()) == 8000 + 7556 + 5 * 4445  # 37,781 Wh taken from the surplus
    assert int(run.discharge.sum()) == 7 * 4000
    assert int(run.state[-1]) == 6000
    assert int(run.state.max()) == 10000 and int(run.state.min()) == 0


def test_the_power_limits_both_ways_and_nothing_comes_from_an_empty_battery():
    battery = Battery.from_figures(capacity_kwh=Decimal(100), power_kw=Decimal("2.5"), efficiency=Decimal(1))

    run = run_battery(battery, np.array([-500, 5000, 100, -5000, -5000, -5000], np.int64))

    assert battery.power_wh == 625
    assert run.charge.tolist() == [0, 625, 100, 0, 0, 0]
    assert run.discharge.tolist() == [0, 0, 0, 625, 100, 0]
    assert run.state.tolist() == [0, 625, 725, 100, 0, 0]


@given(
    net=st.lists(st.integers(-5000, 5000), max_size=300),
    capacity=st.integers(1, 20_000),
    power=st.integers(1, 6000),
    efficiency=st.integers(1, 1000),
)
def test_the_battery_never_breaks_its_limits_and_keeps_its_energy_balance(net, capacity, power, efficiency):
    battery = Battery(capacity_wh=capacity, power_wh=power, efficiency_permille=efficiency)
    values = np.array(net, np.int64)

    run = run_battery(battery, values)

    surplus, deficit = np.clip(values, 0, None), np.clip(-values, 0, None)
    assert ((run.state >= 0) & (run.state <= capacity)).all()
    assert ((run.charge >= 0) & (run.charge <= np.minimum(surplus, power))).all()
    assert ((run.discharge >= 0) & (run.discharge <= np.minimum(deficit, power))).all()
    previous = np.concatenate([[0], run.state[:-1]])
    assert (run.discharge <= previous).all()  # nothing comes out that was not stored before
    stored = run.charge * efficiency // 1000
    assert (run.state == previous + stored - run.discharge).all()
