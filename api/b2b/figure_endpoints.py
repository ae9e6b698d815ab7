"""The figure endpoints: each module of ``api.b2b.figures`` registered once, answered through the cache and telling
how fresh its answer is (``freshness``: when it was computed, and whether it came from the cache)."""

from types import ModuleType

from rest_framework import serializers

from api.b2b.cache import cached_figures
from api.b2b.figures import community_benchmarks, formation_pipeline, grid_optimization, load_profiles, solar_index
from api.b2b.registry import Endpoint, Example, register
from api.b2b.scope import ClientScope

EXAMPLE_FRESHNESS = {"computed_at": "2026-12-07T06:30:00.123456Z", "cached": True}


class Freshness(serializers.Serializer):
    computed_at = serializers.DateTimeField(help_text="When these figures were computed (UTC).")
    cached = serializers.BooleanField(help_text="True: answered from the cache (no change since computed_at).")


def _fresh(answer: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The module's answer with ``freshness`` beside its figures."""
    name = answer.__name__.removesuffix("Answer") + "Answer"
    return type(f"Fresh{name}", (answer,), {"freshness": Freshness(), "__module__": __name__})


def _answered(figures: ModuleType):
    def compute(scope: ClientScope, query: dict) -> dict:
        data, freshness = cached_figures(figures, scope, query)
        return {**data, "freshness": freshness}

    compute.__name__ = f"{figures.ENDPOINT.replace('-', '_')}_answer"
    return compute


def figure_endpoint(figures: ModuleType, *, query, answer, summary: str, example_query: dict) -> Endpoint:
    return register(
        Endpoint(
            name=figures.ENDPOINT,
            summary=summary,
            description=(figures.__doc__ or "").strip(),
            query_serializer=query,
            answer_serializer=_fresh(answer),
            compute=_answered(figures),
            example=Example(query=example_query, answer={**figures.EXAMPLE, "freshness": EXAMPLE_FRESHNESS}),
        )
    )


figure_endpoint(
    solar_index,
    query=solar_index.SolarIndexQuery,
    answer=solar_index.SolarIndexAnswer,
    summary="Installed PV, roof potential and the untapped share of a canton or municipality",
    example_query={"canton": "ZH"},
)
figure_endpoint(
    formation_pipeline,
    query=formation_pipeline.FormationPipelineQuery,
    answer=formation_pipeline.FormationPipelineAnswer,
    summary="Communities per formation state, median days per state and blocked communities",
    example_query={"canton": "ZH"},
)
figure_endpoint(
    community_benchmarks,
    query=community_benchmarks.CommunityBenchmarksQuery,
    answer=community_benchmarks.CommunityBenchmarksAnswer,
    summary="Distributions of community figures (k-anonymous: never from fewer than five communities)",
    example_query={"canton": "ZH", "year": 2025},
)
figure_endpoint(
    load_profiles,
    query=load_profiles.LoadProfilesQuery,
    answer=load_profiles.LoadProfilesAnswer,
    summary="The average quarter-hour profile of a typical day (k-anonymous)",
    example_query={"municipality": 261, "month": "2026-03", "kind": "person"},
)
figure_endpoint(
    grid_optimization,
    query=grid_optimization.GridOptimizationQuery,
    answer=grid_optimization.GridOptimizationAnswer,
    summary="LEG share, self-supply, surplus and feed-in peaks per month; what-if with more PV or a battery",
    example_query={"community": 12, "year": 2025, "add_pv_kwp": "20", "battery_kwh": "100", "battery_kw": "50"},
)
