from datetime import date
from decimal import Decimal

import pytest

from communities.eligibility import _Facts, eligibility_check, same_vnb
from communities.models import Membership
from communities.selectors import members_on_or_after
from tests.communities.factories import (
    CommunityFactory,
    MembershipFactory,
    MeteringPointFactory,
    ParticipantFactory,
)
from tests.pipeline.factories import MunicipalityFactory, UtilityFactory

pytestmark = pytest.mark.django_db


def add_point(community, *, role="consumer", connection="25.000", installed="0", **point_fields):
    participant = ParticipantFactory(community=community, role=role)
    fields = {
        "utility": community.utility,
        "municipality": community.municipality,
        "connection_capacity_kw": Decimal(connection),
        "installed_capacity_kwp": Decimal(installed),
        **point_fields,
    }
    point = MeteringPointFactory(**fields)
    MembershipFactory(metering_point=point, participant=participant, valid_from=date(2026, 1, 1))
    return point


@pytest.fixture
def community():
    """Three consumers of 25 kW and one producer of 25 kW with 10 kWp: 10 kWp of 100 kW = 10 %."""
    community = CommunityFactory(start_date=date(2026, 4, 1), registered_on=date(2025, 12, 15))
    for _ in range(3):
        add_point(community)
    add_point(community, role="producer", installed="10.000")
    return community


def results(community):
    return {result.code: result for result in eligibility_check(community=community).results}


def test_an_eligible_community_passes_every_rule_with_its_reason(community):
    check = eligibility_check(community=community)

    assert check.passed is True
    assert [r.code for r in check.results] == [
        "same_vnb",
        "same_municipality",
        "grid_level",
        "smart_meter",
        "one_community",
        "min_production",
        "start_date",
        "reduction_rate",
    ]
    by_code = {r.code: r.explanation for r in check.results}
    assert by_code["same_vnb"] == f"Alle 4 Messpunkte liegen im Netz von {community.utility.name}."
    assert by_code["same_municipality"] == f"Alle 4 Messpunkte liegen in der Gemeinde {community.municipality.name}."
    assert by_code["grid_level"] == "Alle 4 Messpunkte sind auf Netzebene 7 angeschlossen (höchstens 36 kV)."
    assert by_code["smart_meter"] == "Alle 4 Messpunkte haben ein intelligentes Messsystem."
    assert by_code["one_community"] == "Kein Messpunkt gehört ab dem 01.04.2026 zu einer anderen Gemeinschaft."
    assert by_code["min_production"] == (
        "Erneuerbare Leistung 10 kWp = 10.0 % der summierten Anschlussleistung von 100 kW "
        "(nötig sind mindestens 5.0 % = 5 kW)."
    )
    assert by_code["start_date"] == (
        "Start am 01.04.2026, einem Monatsersten, frühestens 3 Monate nach der Anmeldung vom 15.12.2025 "
        "(frühestmöglich 01.04.2026)."
    )
    assert by_code["reduction_rate"] == "Alle 4 Messpunkte liegen im Trafokreis TS-1: 40 % Reduktion ist zulässig."


def test_a_point_of_another_utility_fails_same_vnb_and_names_it(community):
    # The database refuses such a membership (see openleg.same_utility), so the rule is fed the facts directly.
    on = community.start_date
    foreign = MeteringPointFactory.build(mp_id="CH9999990000000000000000000000001", utility=UtilityFactory())
    memberships = [*members_on_or_after(community=community, day=on), Membership(metering_point=foreign)]

    result = same_vnb(_Facts(community=community, on=on, memberships=memberships, elsewhere=[]))

    assert result.passed is False
    assert result.explanation == (
        f"1 von 5 Messpunkten liegt nicht im Netz von {community.utility.name}: {foreign.mp_id}."
    )


def test_a_point_in_another_or_unknown_municipality_fails(community):
    elsewhere = add_point(community, municipality=MunicipalityFactory(name="Nachbarsdorf"))
    unknown = add_point(community, municipality=None)

    result = results(community)["same_municipality"]

    assert result.passed is False
    assert result.explanation == (
        f"2 von 6 Messpunkten liegen nicht in der Gemeinde {community.municipality.name}: "
        f"{elsewhere.mp_id} (Nachbarsdorf), {unknown.mp_id} (Gemeinde nicht erfasst)."
    )


def test_grid_level_above_36_kv_fails(community):
    high = add_point(community, grid_level=3)

    result = results(community)["grid_level"]

    assert result.passed is False
    assert result.explanation == f"1 von 5 Messpunkten liegt über 36 kV (Netzebene 3): {high.mp_id}."


def test_community_declared_above_36_kv_fails(community):
    community.grid_level = 4
    community.save()

    result = results(community)["grid_level"]

    assert result.passed is False
    assert (
        result.explanation
        == "Die Gemeinschaft ist auf Netzebene 4 erfasst; zulässig sind höchstens 36 kV (Netzebenen 5 bis 7)."
    )


def test_a_point_without_smart_meter_fails(community):
    old = add_point(community, has_smart_meter=False)

    result = results(community)["smart_meter"]

    assert result.passed is False
    assert result.explanation == f"1 von 5 Messpunkten hat noch kein intelligentes Messsystem: {old.mp_id}."


def test_a_point_still_in_another_community_at_the_start_fails(community):
    other = CommunityFactory(utility=community.utility, municipality=community.municipality, name="Andere LEG")
    point = MeteringPointFactory(utility=community.utility, municipality=community.municipality)
    MembershipFactory(
        metering_point=point,
        participant=ParticipantFactory(community=other),
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 5, 31),
    )
    MembershipFactory(
        metering_point=point, participant=ParticipantFactory(community=community), valid_from=date(2026, 6, 1)
    )

    result = results(community)["one_community"]

    assert result.passed is False
    assert result.explanation == (
        f"1 Messpunkt gehört ab dem 01.04.2026 auch zur Gemeinschaft «Andere LEG»: {point.mp_id} (bis 31.05.2026)."
    )


def test_production_below_five_percent_fails_showing_both_sums():
    community = CommunityFactory(start_date=date(2026, 4, 1), registered_on=date(2025, 12, 15))
    add_point(community, connection="100.000")
    add_point(community, role="producer", connection="20.000", installed="5.990")

    result = results(community)["min_production"]

    assert result.passed is False
    assert result.explanation == (
        "Erneuerbare Leistung 5.99 kWp = 4.9 % der summierten Anschlussleistung von 120 kW "
        "(nötig sind mindestens 5.0 % = 6 kW)."
    )


def test_exactly_five_percent_passes():
    community = CommunityFactory(start_date=date(2026, 4, 1), registered_on=date(2025, 12, 15))
    add_point(community, connection="100.000")
    add_point(community, role="producer", connection="20.000", installed="6.000")

    assert results(community)["min_production"].passed is True


def test_a_consumers_installed_capacity_does_not_count():
    community = CommunityFactory(start_date=date(2026, 4, 1), registered_on=date(2025, 12, 15))
    add_point(community, connection="100.000", installed="50.000")

    result = results(community)["min_production"]

    assert result.passed is False
    assert result.explanation.startswith("Erneuerbare Leistung 0 kWp = 0.0 %")


@pytest.mark.parametrize(
    ("start", "registered", "expected"),
    [
        (
            date(2026, 3, 1),
            date(2025, 12, 15),
            "Start am 01.03.2026 ist zu früh: frühestens 3 Monate nach der Anmeldung vom 15.12.2025, "
            "also am 01.04.2026.",
        ),
        (date(2026, 4, 15), date(2025, 12, 15), "Start am 15.04.2026 ist kein Monatserster."),
        (None, date(2025, 12, 15), "Es ist noch kein Startdatum erfasst."),
    ],
)
def test_start_date_rule(community, start, registered, expected):
    community.start_date = start
    community.registered_on = registered
    community.save()

    result = results(community)["start_date"]

    assert result.passed is False
    assert result.explanation == expected


def test_registration_on_the_first_allows_start_three_months_later(community):
    community.registered_on = date(2026, 1, 1)
    community.save()

    assert results(community)["start_date"].explanation == (
        "Start am 01.04.2026, einem Monatsersten, frühestens 3 Monate nach der Anmeldung vom 01.01.2026 "
        "(frühestmöglich 01.04.2026)."
    )


def test_without_registration_date_the_rule_counts_from_today(community, monkeypatch):
    monkeypatch.setattr("communities.eligibility.local_today", lambda: date(2026, 11, 28))
    community.registered_on = None
    community.start_date = date(2027, 3, 1)
    community.save()

    result = results(community)["start_date"]

    assert result.passed is True
    assert result.explanation == (
        "Start am 01.03.2027, einem Monatsersten, frühestens 3 Monate nach der Anmeldung vom 28.11.2026 "
        "(frühestmöglich 01.03.2027; Anmeldung noch nicht erfasst, gerechnet ab heute)."
    )


def test_forty_percent_across_two_circuits_fails(community):
    other = add_point(community, transformer_circuit="TS-2")

    result = results(community)["reduction_rate"]

    assert result.passed is False
    assert result.explanation == (
        "40 % Reduktion gilt nur, wenn alle Messpunkte im selben Trafokreis liegen; "
        f"hier sind es 2 Trafokreise (TS-1, TS-2). Wählen Sie 20 %. Abweichend: {other.mp_id}."
    )


def test_forty_percent_with_unknown_circuit_fails(community):
    unknown = add_point(community, transformer_circuit="")

    result = results(community)["reduction_rate"]

    assert result.passed is False
    assert result.explanation == (
        f"40 % Reduktion setzt einen bekannten Trafokreis voraus; ohne Trafokreis erfasst: {unknown.mp_id}."
    )


def test_twenty_percent_across_circuits_passes(community):
    add_point(community, transformer_circuit="TS-2")
    community.reduction_percent = 20
    community.save()

    result = results(community)["reduction_rate"]

    assert result.passed is True
    assert result.explanation == "20 % Reduktion für 2 Trafokreise (TS-1, TS-2): zulässig."


def test_a_community_without_metering_points_fails_the_point_rules():
    community = CommunityFactory(start_date=date(2026, 4, 1), registered_on=date(2025, 12, 15))

    check = eligibility_check(community=community)

    assert check.passed is False
    assert results(community)["same_vnb"].explanation == "Es ist noch kein Messpunkt erfasst."
    assert results(community)["min_production"].passed is False


def test_points_that_left_before_the_start_are_not_checked(community):
    leaver = ParticipantFactory(community=community, member_to=date(2026, 3, 31))
    MembershipFactory(
        metering_point=MeteringPointFactory(has_smart_meter=False, utility=community.utility),
        participant=leaver,
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 3, 31),
    )

    assert results(community)["smart_meter"].passed is True


def test_the_check_costs_a_fixed_number_of_queries(community, django_assert_max_num_queries):
    for _ in range(20):
        add_point(community)
    community = type(community).objects.get(pk=community.pk)

    with django_assert_max_num_queries(4):
        eligibility_check(community=community)
