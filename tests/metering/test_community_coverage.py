"""The coverage calendar: per metering point and local day complete, provisional, incomplete, missing or no member,
and where the LEG channel came; in two queries for all points, on a page of a fixed number of queries."""

from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metering.coverage import community_coverage
from metering.daybuckets import SLOTS_PER_DAY, sources_to_bytes, to_bytes
from metering.models import DaySeries, MeterImport
from openleg.periods import local_day, local_today
from tests.accounts.factories import UtilityUserFactory
from tests.communities.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db

MEASURED, PROVISIONAL = 1, 2


@pytest.fixture
def source(db):
    return MeterImport.objects.create(
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
        door="command",
        filename="x.xml",
        sha256="0" * 64,
        size=1,
        status="applied",
    )


def deliver(point, source, direction: str, channel: str, days: dict[date, np.ndarray]) -> None:
    """Store the quality of whole Europe/Zurich days (92, 96 or 100 slots each) as the UTC day rows hold them; one
    call per series (a row is written whole)."""
    rows: dict[date, np.ndarray] = {}
    for day, quality in days.items():
        period = local_day(day)
        assert len(quality) == period.quarter_hours
        for slot, mark in enumerate(quality):
            moment = period.start + timedelta(minutes=15 * slot)
            row = rows.setdefault(moment.date(), np.zeros(SLOTS_PER_DAY, np.uint8))
            midnight = datetime.combine(moment.date(), time(0), tzinfo=UTC)
            row[int((moment - midnight).total_seconds() // 900)] = mark
    for day, quality in rows.items():
        values, quality_bytes = to_bytes(np.full(SLOTS_PER_DAY, 1000, np.int64) * (quality > 0), quality)
        DaySeries.objects.update_or_create(
            metering_point=point,
            direction=direction,
            channel=channel,
            day=day,
            defaults={
                "values": values,
                "quality": quality_bytes,
                "sources": sources_to_bytes(np.full(SLOTS_PER_DAY, source.pk, np.int64) * (quality > 0), quality),
                "last_import": source,
                "updated_at": datetime(2026, 11, 1, tzinfo=UTC),
            },
        )


def whole(day: date, mark: int = MEASURED) -> np.ndarray:
    return np.full(local_day(day).quarter_hours, mark, np.uint8)


def october(community, source):
    """Three points in October 2026 (25 October has 100 quarter-hours)."""
    a = MembershipFactory(participant__community=community, participant__last_name="Alpha", valid_from=date(2026, 1, 1))
    b = MembershipFactory(participant__community=community, participant__last_name="Beta", valid_from=date(2026, 1, 1))
    c = MembershipFactory(
        participant__community=community, participant__last_name="Gamma", valid_from=date(2026, 10, 15)
    )
    days = [date(2026, 10, 1) + timedelta(days=n) for n in range(31)]
    every = {day: whole(day) for day in days}
    dst = whole(date(2026, 10, 25))
    dst[99] = PROVISIONAL  # the last quarter-hour of the 100
    deliver(a.metering_point, source, "consumption", "total", {**every, date(2026, 10, 25): dst})
    # a second direction missing on 3 October: the day is as good as its worst direction
    deliver(a.metering_point, source, "production", "total", {d: q for d, q in every.items() if d != date(2026, 10, 3)})
    deliver(a.metering_point, source, "consumption", "leg", {date(2026, 10, 25): whole(date(2026, 10, 25), 2)})
    # exactly the local 25 October: complete, and its neighbours untouched though they share its UTC rows
    gap = whole(date(2026, 10, 26))
    gap[40] = 0
    deliver(
        b.metering_point,
        source,
        "consumption",
        "total",
        {date(2026, 10, 25): whole(date(2026, 10, 25)), date(2026, 10, 26): gap},
    )
    deliver(c.metering_point, source, "consumption", "total", {date(2026, 10, 14): whole(date(2026, 10, 14))})
    return a.metering_point, b.metering_point, c.metering_point


def test_every_cell_of_a_dst_month_is_exact(source):
    community = CommunityFactory()
    a, b, c = october(community, source)

    coverage = community_coverage(community_id=community.pk, year=2026, month=10)

    assert coverage.days == tuple(date(2026, 10, 1) + timedelta(days=n) for n in range(31))
    points = {point.metering_point_id: point for point in coverage.points}
    assert [point.mp_id for point in coverage.points] == sorted([a.mp_id, b.mp_id, c.mp_id])
    first = points[a.pk]
    assert first.members.startswith("Anna Alpha")
    expected = ["complete"] * 31
    expected[2] = "missing"
    expected[24] = "provisional"
    assert list(first.statuses) == expected
    assert [n + 1 for n, leg in enumerate(first.leg) if leg] == [25]
    second = points[b.pk]
    expected = ["missing"] * 31
    expected[24], expected[25] = "complete", "incomplete"
    assert list(second.statuses) == expected
    assert not any(second.leg)
    third = points[c.pk]
    assert list(third.statuses) == ["not_member"] * 14 + ["missing"] * 17  # the 14th delivered, but no member


def test_the_selector_agrees_with_the_single_point_coverage(source):
    from metering.selectors import coverage

    community = CommunityFactory()
    a, b, _c = october(community, source)
    found = {p.metering_point_id: p for p in community_coverage(community_id=community.pk, year=2026, month=10).points}
    for point in (a, b):
        single = coverage(metering_point_id=point.pk, year=2026, month=10)
        assert list(found[point.pk].statuses) == list(single.values())


def test_the_spring_dst_day_has_92_quarter_hours(source):
    community = CommunityFactory()
    point = MembershipFactory(participant__community=community).metering_point
    deliver(point, source, "consumption", "total", {date(2026, 3, 29): whole(date(2026, 3, 29))})

    statuses = community_coverage(community_id=community.pk, year=2026, month=3).points[0].statuses

    assert (statuses[27], statuses[28], statuses[29]) == ("missing", "complete", "missing")


def _community_of(size: int, source):
    community = CommunityFactory()
    for _n in range(size):
        point = MembershipFactory(participant__community=community, valid_from=date(2026, 1, 1)).metering_point
        deliver(point, source, "consumption", "total", {date(2026, 10, 2): whole(date(2026, 10, 2))})
        deliver(point, source, "consumption", "leg", {date(2026, 10, 2): whole(date(2026, 10, 2), 2)})
    return community


@pytest.mark.parametrize("size", [3, 30])
def test_the_selector_reads_two_queries_whatever_the_points(source, size, django_assert_num_queries):
    community = _community_of(size, source)
    with django_assert_num_queries(2):
        coverage = community_coverage(community_id=community.pk, year=2026, month=10)
    assert len(coverage.points) == size
    assert {point.statuses[1] for point in coverage.points} == {"complete"}


def test_the_page_reads_the_same_queries_for_3_and_30_points(client, source):
    counts = []
    for size in (3, 30):
        community = _community_of(size, source)
        client.force_login(UtilityUserFactory(utility=community.utility))
        url = f"/utility/communities/{community.pk}/meter-data/2026-10/"
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        assert page.count('<th scope="row">') == size
        counts.append(len(queries))
    assert counts == [7, 7]  # + the subscription banner


def test_the_page_shows_symbols_titles_legend_and_exports(client, source):
    community = CommunityFactory(name="LEG Sonnenhalde")
    a, _b, _c = october(community, source)
    client.force_login(UtilityUserFactory(utility=community.utility, portal_role="viewer"))

    page = client.get(f"/utility/communities/{community.pk}/meter-data/2026-10/").content.decode()

    assert "Messdaten Oktober 2026" in page
    assert 'aria-current="page">Messdaten</a>' in page  # the community's tab
    assert (
        '<td class="cov-provisional" title="So 25.10.2026: provisorisch, LEG-Kanal geliefert">'
        'P<span class="cov-leg">L</span></td>' in page
    )
    assert '<td class="cov-missing" title="Sa 03.10.2026: fehlt">✗</td>' in page
    assert '<td class="cov-incomplete" title="Mo 26.10.2026: unvollständig">!</td>' in page
    assert '<td class="cov-none" title="Do 01.10.2026: nicht Mitglied">·</td>' in page
    for word in ("vollständig", "provisorisch", "unvollständig", "fehlt", "nicht Mitglied", "LEG-Kanal geliefert"):
        assert f"</span> {word}</li>" in page
    export = f"/utility/communities/{community.pk}/points/{a.pk}/2026-10.xlsx"
    assert f'href="{export}"' in page and client.get(export).status_code == 200
    assert f'href="/utility/communities/{community.pk}/meter-data/2026-09/" rel="prev"' in page
    assert f'href="/utility/communities/{community.pk}/meter-data/2026-11/" rel="next"' in page


def test_the_tab_opens_the_last_closed_month(client):
    community = CommunityFactory()
    client.force_login(UtilityUserFactory(utility=community.utility))
    today = local_today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)

    response = client.get(f"/utility/communities/{community.pk}/meter-data/")

    assert response["Location"] == f"/utility/communities/{community.pk}/meter-data/{year:04d}-{month:02d}/"
    assert "In diesem Monat hat die Gemeinschaft keine Messpunkte." in client.get(response["Location"]).content.decode()


def test_another_utilitys_community_and_a_month_13_are_not_found(client):
    own, foreign = CommunityFactory(), CommunityFactory()
    client.force_login(UtilityUserFactory(utility=own.utility, portal_role="approver"))
    for url in (
        f"/utility/communities/{foreign.pk}/meter-data/",
        f"/utility/communities/{foreign.pk}/meter-data/2026-10/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert client.get(f"/utility/communities/{own.pk}/meter-data/2026-13/").status_code == 404
