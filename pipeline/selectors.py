"""Reads of the pipeline that the admin, the dashboard, the tasks and the agent API share (staff only)."""

from datetime import date

from django.conf import settings
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _

from openleg.errors import DomainError, NotFound
from openleg.periods import local_today
from pipeline.cantons import Canton
from pipeline.models import OutreachDraft, PipelineBriefing, Stage, Utility
from pipeline.scoring import ScoreInputs, ScoreReferences


def utility_get(*, pk) -> Utility:
    """The utility with its owner, or NotFound with a message the agent can pass on."""
    try:
        return Utility.objects.select_related("owner").get(pk=pk)
    except (Utility.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Es gibt keinen Netzbetreiber mit der Nummer %(pk)s.") % {"pk": pk}) from None


def pipeline_list(
    *,
    stage: str | None = None,
    canton: str | None = None,
    owner=None,
    score_min: int | None = None,
    score_max: int | None = None,
    overdue: bool | None = None,
    today: date | None = None,
) -> QuerySet[Utility]:
    """Utilities by score (best first, unscored last), each annotated with ``is_overdue``.

    ``owner`` is a user or a user id; ``today`` (default: today in Zurich) decides what is overdue:
    a next action due before today.
    """
    today = today or local_today()
    utilities = Utility.objects.select_related("owner").annotate(
        is_overdue=Case(
            When(next_action_due__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )
    if stage is not None:
        if stage not in Stage.values:
            raise DomainError(_("Die Phase «%(stage)s» gibt es nicht.") % {"stage": stage}, field="stage")
        utilities = utilities.filter(stage=stage)
    if canton is not None:
        if canton not in Canton.values:
            raise DomainError(_("Den Kanton «%(canton)s» gibt es nicht.") % {"canton": canton}, field="canton")
        utilities = utilities.filter(canton=canton)
    if owner is not None:
        utilities = utilities.filter(owner=owner)
    if score_min is not None:
        utilities = utilities.filter(score__gte=score_min)
    if score_max is not None:
        utilities = utilities.filter(score__lte=score_max)
    if overdue is not None:
        utilities = utilities.filter(is_overdue=overdue)
    return utilities.order_by(F("score").desc(nulls_last=True), "name", "pk")


# -- score inputs: one query for one utility or for a whole queryset ------------------------------------------

_BOTH_SOLAR_FIGURES = Q(
    municipalities__roof_potential_mwh__isnull=False, municipalities__installed_pv_kwp__isnull=False
)


def with_market_totals(utilities: QuerySet[Utility]) -> QuerySet[Utility]:
    """Annotate the sums over each utility's municipalities that the score needs."""
    return utilities.annotate(
        market_municipalities=Count("municipalities"),
        market_population=Sum("municipalities__population"),
        market_population_recorded=Count("municipalities__population"),
        market_roof_potential_mwh=Sum("municipalities__roof_potential_mwh", filter=_BOTH_SOLAR_FIGURES),
        market_installed_pv_kwp=Sum("municipalities__installed_pv_kwp", filter=_BOTH_SOLAR_FIGURES),
        market_solar_recorded=Count("municipalities", filter=_BOTH_SOLAR_FIGURES),
    )


def score_references() -> ScoreReferences:
    return ScoreReferences(
        population_half=settings.PIPELINE_SCORE_POPULATION_HALF,
        untapped_solar_half_mwh=settings.PIPELINE_SCORE_UNTAPPED_SOLAR_HALF_MWH,
        pv_yield_kwh_per_kwp=settings.PIPELINE_PV_YIELD_KWH_PER_KWP,
        smart_meter_share_default=settings.PIPELINE_SCORE_SMART_METER_DEFAULT,
    )


def score_inputs_from_totals(utility: Utility, references: ScoreReferences) -> ScoreInputs:
    """The inputs of a utility read through ``with_market_totals``."""
    return ScoreInputs(
        municipalities=utility.market_municipalities,
        population=utility.market_population,
        population_recorded=utility.market_population_recorded,
        roof_potential_mwh=utility.market_roof_potential_mwh,
        installed_pv_kwp=utility.market_installed_pv_kwp,
        solar_recorded=utility.market_solar_recorded,
        competitor=utility.competitor,
        smart_meter_share=utility.smart_meter_share,
        references=references,
    )


def score_inputs_of(utility: Utility) -> ScoreInputs:
    """Everything the score of ``utility`` depends on, fresh from the database in one query."""
    stored = with_market_totals(Utility.objects.filter(pk=utility.pk)).get()
    return score_inputs_from_totals(stored, score_references())


def outreach_draft_get(*, utility: Utility, pk) -> OutreachDraft:
    """One outreach draft of ``utility``, or NotFound: a draft of another utility is not found here."""
    draft = OutreachDraft.objects.filter(utility=utility, pk=pk).select_related("utility").first()
    if draft is None:
        raise NotFound(_("Es gibt keinen Entwurf %(pk)s für «%(utility)s».") % {"pk": pk, "utility": utility.name})
    return draft


def latest_briefing() -> PipelineBriefing | None:
    """The newest daily briefing, or None before the first review ran."""
    return PipelineBriefing.objects.order_by("-day").first()
