from datetime import UTC, date, datetime
from unittest.mock import patch

import pytest

from api.b2b import cache as figures_cache
from api.b2b.cache import cached, cached_figures, plain_query
from api.b2b.figures import formation_pipeline, solar_index
from api.b2b.figures.formation_pipeline import FormationPipelineQuery
from api.b2b.figures.solar_index import SolarIndexQuery
from api.b2b.scope import ClientScope
from billing.services import billing_run_approve, billing_run_start
from communities.models import FormationStep
from metering.sdat_writer import SdatSeries
from tests.api.b2b.figures.helpers import validated
from tests.api.b2b.figures.meter_data import import_series
from tests.pipeline.factories import MunicipalityFactory


class Counting:
    """A computation that says how often it ran."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"calls": self.calls}


def test_the_second_call_comes_from_the_cache(db):
    compute = Counting()
    with patch.object(figures_cache, "utc_now", return_value=datetime(2026, 6, 1, 10, tzinfo=UTC)):
        first = cached("solar-index", {"canton": "ZH"}, compute)
    with patch.object(figures_cache, "utc_now", return_value=datetime(2026, 6, 1, 10, 5, tzinfo=UTC)):
        second = cached("solar-index", {"canton": "ZH"}, compute)
    assert first == ({"calls": 1}, {"computed_at": "2026-06-01T10:00:00Z", "cached": False})
    assert second == ({"calls": 1}, {"computed_at": "2026-06-01T10:00:00Z", "cached": True})
    assert compute.calls == 1


def test_another_query_or_endpoint_is_another_entry(db):
    compute = Counting()
    cached("solar-index", {"canton": "ZH"}, compute)
    cached("solar-index", {"canton": "AG"}, compute)
    cached("formation-pipeline", {"canton": "ZH"}, compute)
    assert compute.calls == 3


def test_formation_pipeline_is_cached_per_utility_the_other_figures_once_for_all(db):
    municipality = MunicipalityFactory(bfs_number=9701, canton="ZH")
    query = {"canton": "ZH", "municipality": municipality}
    assert plain_query(query) == {"canton": "ZH", "municipality": municipality.pk}
    assert plain_query(query, 4) == {"canton": "ZH", "municipality": municipality.pk, "_utility": 4}
    pipeline = validated(FormationPipelineQuery, {"canton": "ZH"})
    assert cached_figures(formation_pipeline, ClientScope(utility_id=4), pipeline)[1]["cached"] is False
    assert cached_figures(formation_pipeline, ClientScope(utility_id=5), pipeline)[1]["cached"] is False
    assert cached_figures(formation_pipeline, ClientScope(utility_id=4), pipeline)[1]["cached"] is True
    solar = validated(SolarIndexQuery, {"canton": "ZH"})
    assert cached_figures(solar_index, ClientScope(utility_id=4), solar)[1]["cached"] is False
    assert cached_figures(solar_index, ClientScope(utility_id=5), solar)[1]["cached"] is True


def test_cached_figures_compute_a_module_once(db):
    MunicipalityFactory(bfs_number=9702, canton="ZH", installed_pv_kwp=1, roof_potential_mwh=10)
    query = validated(SolarIndexQuery, {"municipality": 9702})
    data, fresh = cached_figures(solar_index, ClientScope(), query)
    again, fresh_again = cached_figures(solar_index, ClientScope(), query)
    assert (data, fresh["cached"], fresh_again["cached"]) == (again, False, True)
    assert data == solar_index.compute(ClientScope(), query)


def test_a_lost_counter_restarts_from_the_clock_and_old_entries_stay_unread(db):
    figures_cache.cache.delete_pattern("b2b:figures:*")  # no counter yet, nor entries of a run at the same clock
    compute = Counting()
    with patch.object(figures_cache, "utc_now", return_value=datetime(2026, 6, 1, 10, tzinfo=UTC)):
        cached("solar-index", {}, compute)
        figures_cache.bump_generation()
        figures_cache.bump_generation()
    assert figures_cache.generation() == 1_780_308_000_000_002
    figures_cache.cache.delete(figures_cache.GENERATION_KEY)  # flushed or evicted
    with patch.object(figures_cache, "utc_now", return_value=datetime(2026, 6, 1, 10, 0, 1, tzinfo=UTC)):
        figures_cache.bump_generation()
        assert figures_cache.generation() == 1_780_308_001_000_000
        cached("solar-index", {}, compute)
    assert compute.calls == 2


@pytest.fixture
def warm(db):
    compute = Counting()

    def call():
        return cached("community-benchmarks", {"year": 2026}, compute)[1]["cached"]

    return call


def test_approving_a_run_recomputes_but_computing_a_draft_does_not(
    march_community,
    warm,
    django_capture_on_commit_callbacks,
):
    assert warm() is False
    with django_capture_on_commit_callbacks(execute=True):
        run = billing_run_start(community=march_community, year=2026, month=3)
    assert warm() is True  # a draft counts nowhere
    with django_capture_on_commit_callbacks(execute=True):
        billing_run_approve(run=run, actor=None, reason="Test")
    assert warm() is False
    assert warm() is True


def test_applying_meter_data_recomputes(march_community, warm, django_capture_on_commit_callbacks):
    assert warm() is False
    point = march_community.participants.get(customer_number="M1").memberships.get().metering_point
    with django_capture_on_commit_callbacks(execute=True):
        import_series(
            [SdatSeries(point.mp_id, "consumption", "total", datetime(2026, 4, 1, 22, tzinfo=UTC), [100] * 96)],
            "APRIL-1",
        )
    assert warm() is False


def test_a_formation_step_or_a_membership_change_recomputes(
    march_community,
    warm,
    django_capture_on_commit_callbacks,
):
    assert warm() is False
    with django_capture_on_commit_callbacks(execute=True):
        FormationStep.objects.create(
            community=march_community, from_status="active", to_status="abandoned", door="admin"
        )
    assert warm() is False
    membership = march_community.participants.get(customer_number="M2").memberships.get()
    with django_capture_on_commit_callbacks(execute=True):
        membership.valid_to = date(2026, 12, 31)
        membership.save()
    assert warm() is False
    assert warm() is True


def test_nothing_is_made_stale_before_the_change_commits(march_community, warm, django_capture_on_commit_callbacks):
    assert warm() is False
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        FormationStep.objects.create(
            community=march_community, from_status="active", to_status="abandoned", door="admin"
        )
    assert warm() is True  # still the committed world: the bump waits for the commit
    assert len(callbacks) == 1
