from datetime import date

import pytest

from api.b2b.figures import load_profiles
from api.b2b.figures.load_profiles import LABELS, LoadProfilesAnswer, LoadProfilesQuery
from api.b2b.scope import ClientScope
from metering.sdat_writer import SdatSeries
from openleg.periods import QUARTER_HOUR, ZURICH, local_day, local_month
from tests.api.b2b.figures.helpers import not_found, refused, validated
from tests.api.b2b.figures.meter_data import by_wall_clock, import_series, wall_clock_slot
from tests.communities.factories import CommunityFactory, MembershipFactory, MeteringPointFactory
from tests.pipeline.factories import MunicipalityFactory, UtilityFactory

ANYONE = ClientScope()
MARCH = local_month(2026, 3)  # 29 March has 92 quarter-hours: 02:00–02:45 do not exist


def mp_id(number: int) -> str:
    return f"CH10066612345{number:020d}"


@pytest.fixture
def households(db):
    """Five communities of Uster with one household each; a company in a sixth; data for March 2026.

    Household n consumes (wall-clock quarter-hour index + n) Wh: the mean of n = 1…5 is the index + 3 Wh."""
    utility = UtilityFactory(vnb_number="100666")
    uster = MunicipalityFactory(bfs_number=9601, name="Uster", canton="ZH")
    communities = [CommunityFactory(utility=utility, municipality=uster) for _ in range(6)]
    series = []
    for number, community in enumerate(communities[:5], start=1):
        point = MeteringPointFactory(mp_id=mp_id(number), utility=utility)
        MembershipFactory(metering_point=point, participant__community=community, valid_from=date(2026, 1, 1))
        series.append(by_wall_clock(point.mp_id, MARCH.start, MARCH.quarter_hours, number))
    company = MeteringPointFactory(mp_id=mp_id(6), utility=utility)
    MembershipFactory(
        metering_point=company,
        participant__community=communities[5],
        participant__kind="company",
        participant__company_name="Bäckerei Uster AG",
        valid_from=date(2026, 1, 1),
    )
    series.append(by_wall_clock(company.mp_id, MARCH.start, MARCH.quarter_hours, 500))
    # joins on 20 March; its data of 1 to 19 March (before it was a member) must not count
    late = MeteringPointFactory(mp_id=mp_id(7), utility=utility)
    MembershipFactory(metering_point=late, participant__community=communities[0], valid_from=date(2026, 3, 20))
    before = local_day(date(2026, 3, 20)).start
    series.append(
        SdatSeries(late.mp_id, "consumption", "total", MARCH.start, [9000] * ((before - MARCH.start) // QUARTER_HOUR))
    )
    import_series(series, "USTER-MAERZ")
    return {"uster": uster, "communities": communities}


def answer(params):
    return load_profiles.compute(ANYONE, validated(LoadProfilesQuery, params))


def test_the_typical_day_of_households_by_wall_clock(households):
    data = answer({"municipality": 9601, "month": "2026-03", "kind": "person"})
    assert (data["status"], data["participants"], data["communities"]) == ("ok", 5, 5)
    assert [row["time"] for row in data["profile"]] == LABELS
    assert LABELS[0] == "00:00" and LABELS[8] == "02:00" and LABELS[95] == "23:45"
    # index + 3 Wh at every label, the DST day's missing hour included: nothing shifted by an hour
    assert [row["kwh"] for row in data["profile"]] == [f"0.{slot + 3:03d}" for slot in range(96)]


def test_a_company_alone_is_too_few(households):
    data = answer({"municipality": 9601, "month": "2026-03", "kind": "company"})
    assert (data["status"], data["participants"], data["communities"], data["profile"]) == (
        "too_few_communities",
        1,
        1,
        None,
    )
    assert data["reason"] == (
        "Ein Profil wird erst ab 5 Teilnehmenden aus 5 Gemeinschaften gebildet; hier sind es 1 aus 1."
    )


def test_four_communities_are_too_few(households):
    households["communities"][4].participants.get().memberships.update(valid_from=date(2026, 4, 1))
    data = answer({"municipality": 9601, "month": "2026-03", "kind": "person"})
    assert (data["status"], data["participants"], data["communities"]) == ("too_few_communities", 4, 4)


def test_a_month_without_data_says_so(households):
    data = answer({"municipality": 9601, "month": "2026-04", "kind": "person"})
    assert (data["status"], data["participants"], data["profile"]) == ("no_data", 0, None)
    assert data["reason"] == "Für diese Auswahl sind für April 2026 keine Messwerte gespeichert."


def test_bad_parameters(households):
    assert list(refused(LoadProfilesQuery, {"municipality": 9601, "month": "März", "kind": "person"})) == ["month"]
    assert refused(LoadProfilesQuery, {"municipality": 9601, "month": "2026-13", "kind": "person"}) == {
        "month": ["Bitte den Monat als JJJJ-MM angeben, z. B. 2026-03."]
    }
    assert list(refused(LoadProfilesQuery, {"municipality": 9601, "month": "2026-03", "kind": "household"})) == ["kind"]
    assert list(refused(LoadProfilesQuery, {"month": "2026-03", "kind": "person"})) == ["municipality"]
    assert not_found(LoadProfilesQuery, {"municipality": 9998, "month": "2026-03", "kind": "person"}).code == (
        "not_found"
    )


def test_the_example_fits_the_answer_schema():
    serializer = LoadProfilesAnswer(data=load_profiles.EXAMPLE)
    assert serializer.is_valid(), serializer.errors


OCTOBER = local_month(2026, 10)  # 25 October has 100 quarter-hours: 02:00–02:45 happen twice
REPEATED_BUMP_WH = 3200  # on the repeated (winter-time) 02:00–02:45 only: 3,200 Wh over 32 observations is 100 Wh


@pytest.fixture
def october_households(db):
    """Five households in five communities of Wetzikon, October 2026: household n consumes (wall-clock index + n)
    Wh, and 3,200 Wh more in the repeated hour of 25 October, so that counting it twice shows in the mean."""
    utility = UtilityFactory(vnb_number="100777")
    wetzikon = MunicipalityFactory(bfs_number=121, name="Wetzikon", canton="ZH")
    series = []
    for number in range(1, 6):
        point = MeteringPointFactory(mp_id=mp_id(20 + number), utility=utility)
        community = CommunityFactory(utility=utility, municipality=wetzikon)
        MembershipFactory(metering_point=point, participant__community=community, valid_from=date(2026, 1, 1))
        values = []
        for n in range(OCTOBER.quarter_hours):
            moment = OCTOBER.start + n * QUARTER_HOUR
            repeated = moment.astimezone(ZURICH).fold == 1  # the second 02:00–02:45 of 25 October
            values.append(wall_clock_slot(moment) + number + (REPEATED_BUMP_WH if repeated else 0))
        series.append(SdatSeries(point.mp_id, "consumption", "total", OCTOBER.start, values))
    import_series(series, "WETZIKON-OKTOBER")


def test_the_repeated_autumn_hour_counts_twice(october_households):
    data = answer({"municipality": 121, "month": "2026-10", "kind": "person"})

    assert (data["status"], data["participants"], data["communities"]) == ("ok", 5, 5)
    # 31 days give index + 3 Wh at every label; 02:00–02:45 also have the repeated quarter-hour: 32 observations,
    # one of them 3,200 Wh higher, so their mean is index + 3 + 100 Wh. Counted once, it would be index + 3.
    expected = [f"0.{slot + 3 + (100 if 8 <= slot <= 11 else 0):03d}" for slot in range(96)]
    assert [row["kwh"] for row in data["profile"]] == expected
