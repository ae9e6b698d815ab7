"""bench_scale's own parts: how the utility's communities are sized and how one community-month goes in."""

import pytest

from benchmarks.bench_community import BenchShape
from benchmarks.bench_scale import _generate, _import, community_sizes, file_name, shapes, stored_values


def test_the_full_size_has_150_communities_of_10_to_80_that_hold_the_5000_points():
    sizes = community_sizes(5000, 150)

    assert (len(sizes), sum(sizes), min(sizes), max(sizes)) == (150, 5000, 10, 80)
    assert sizes[:2] == [50, 80]  # the billing run's community and the portal's
    assert community_sizes(5000, 150) == sizes  # the same every run: a resumed run finds its communities


def test_a_small_run_still_adds_up():
    assert sum(community_sizes(200, 6)) == 200
    assert community_sizes(200, 6)[:2] == [50, 80]


def test_too_few_points_for_the_two_fixed_communities_are_refused():
    with pytest.raises(ValueError, match="100 points do not make 6 communities beside those of 50 and 80"):
        community_sizes(100, 6)


def test_roles_and_metering_points_of_the_first_community(monkeypatch):
    monkeypatch.setattr("benchmarks.bench_scale.POINTS", 5000)
    monkeypatch.setattr("benchmarks.bench_scale.COMMUNITIES", 150)

    plan = shapes()
    shape, ids = plan[0]

    assert (shape.name, shape.consumers, shape.prosumers, shape.producers) == ("Scale LEG 001", 27, 18, 5)
    assert ids[0] == "CH10099012345" + "0" * 20 and ids[-1] == "CH10099012345" + f"{49:020d}"
    assert plan[1][1][0] == "CH10099012345" + f"{50:020d}"  # the next community's points follow
    assert len({mp_id for _shape, ids in plan for mp_id in ids}) == 5000
    assert file_name(shape, 3) == "scale-001-202603.xml"


@pytest.mark.django_db
def test_a_community_month_goes_through_the_importer_with_every_value(tmp_path, settings):
    from benchmarks.bench_community import community_with_members, metering_point_ids
    from tests.pipeline.factories import UtilityFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    shape = BenchShape(name="Scale LEG 007", vnb_number="100990", consumers=2, prosumers=1, producers=1)
    ids = metering_point_ids("100990", 0, 4)
    community_with_members(shape, UtilityFactory(vnb_number="100990"), ids)

    path, values = _generate((shape, ids, 3, str(tmp_path)))

    # March 2026 has 2,972 quarter-hours; each consumer 2 series (total, leg), the prosumer 4, the producer 2
    assert (path, values) == (str(tmp_path / "scale-007-202603.xml"), 10 * 2972)
    assert _import(path) == ("applied", 10 * 2972)
    assert stored_values() == 10 * 2972
