"""The sales pipeline tools (staff tokens only): read the pipeline, move a utility's stage, rescore it, and read the
dashboard and the daily briefing. Outreach drafts are in ``outreach``."""

from django.db.models import F
from django.utils.translation import gettext as _
from rest_framework import serializers

from api.agent.registry import Tool, ToolAnswer, register
from api.agent.tools.common import iso_utc, require_staff
from api.agent.tools.examples import example_of
from api.errors import ApiError
from api.scopes import Scope
from openleg.periods import local_today
from pipeline.cantons import Canton
from pipeline.dashboard import dashboard_figures, owner_name
from pipeline.models import Stage
from pipeline.scoring import FACTORS
from pipeline.selectors import latest_briefing, pipeline_list, utility_get
from pipeline.services import StageChangeRefused, utility_rescore, utility_stage_move
from pipeline.stages import Door, stage_targets
from subscriptions.revenue import subscription_figures

ORDERINGS = {
    "score": None,  # the pipeline's own order: best score first, unscored last
    "name": ("name", "pk"),
    "next_action_due": (F("next_action_due").asc(nulls_last=True), "name", "pk"),
    "stage_changed_at": (F("stage_changed_at").desc(nulls_last=True), "name", "pk"),
}
LIMIT_MAX = 200


def utility_row(utility) -> dict:
    return {
        "id": utility.pk,
        "name": utility.name,
        "short_name": utility.short_name,
        "canton": utility.canton,
        "stage": utility.stage,
        "stage_changed_at": iso_utc(utility.stage_changed_at),
        "score": utility.score,
        "owner": owner_name(utility.owner),
        "next_action": utility.next_action,
        "next_action_due": utility.next_action_due.isoformat() if utility.next_action_due else None,
        "overdue": utility.is_overdue,
        "last_contact_at": iso_utc(utility.last_contact_at),
    }


# -- get_vnb_pipeline -------------------------------------------------------------------------------------------


class PipelineArguments(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.values, required=False)
    canton = serializers.ChoiceField(choices=Canton.values, required=False)
    min_score = serializers.IntegerField(min_value=0, max_value=100, required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), default="score")
    limit = serializers.IntegerField(min_value=1, max_value=LIMIT_MAX, default=50)


def get_vnb_pipeline(caller, arguments: dict) -> ToolAnswer:
    require_staff(caller)
    utilities = pipeline_list(
        stage=arguments.get("stage"),
        canton=arguments.get("canton"),
        score_min=arguments.get("min_score"),
        overdue=arguments["overdue"],
    )
    ordering = ORDERINGS[arguments["ordering"]]
    if ordering is not None:
        utilities = utilities.order_by(*ordering)
    rows = [utility_row(utility) for utility in utilities[: arguments["limit"]]]
    return ToolAnswer(data={"count": utilities.count(), "utilities": rows})


register(
    Tool(
        name="get_vnb_pipeline",
        description=(
            "List distribution utilities (VNB) in the sales pipeline with stage, score (0-100), owner, next action, "
            "its due date and whether it is overdue. Filter by 'stage' (lead, contacted, demo, trial, paid, churned, "
            "lost), 'canton' (two letters), 'min_score', 'overdue' (true: only next actions due before today in "
            "Zurich); order by 'score' (default, best first), 'name', 'next_action_due' or 'stage_changed_at'; at "
            "most 'limit' rows (default 50, up to 200). 'count' is the number of all matches. Use it for the daily "
            "pipeline review and to pick utilities for outreach."
        ),
        scope=Scope.PIPELINE_READ,
        arguments=PipelineArguments,
        run=get_vnb_pipeline,
        **example_of("get_vnb_pipeline"),
    )
)


# -- update_vnb_status ------------------------------------------------------------------------------------------


class StatusArguments(serializers.Serializer):
    utility = serializers.IntegerField(min_value=1)
    stage = serializers.ChoiceField(choices=Stage.values)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


def update_vnb_status(caller, arguments: dict) -> ToolAnswer:
    require_staff(caller)
    utility = utility_get(pk=arguments["utility"])
    from_stage = utility.stage
    try:
        event = utility_stage_move(
            utility=utility, to_stage=arguments["stage"], actor=caller.actor, door=Door.AGENT, note=arguments["note"]
        )
    except StageChangeRefused as refused:
        current = utility_get(pk=utility.pk).stage
        raise ApiError(
            "stage_move_refused",
            refused.message,
            status=409,
            details={
                "from_stage": current,
                "allowed": stage_targets(current, door=Door.AGENT),
                "reasons": refused.reasons,
            },
        ) from refused
    return ToolAnswer(
        data={
            "utility": utility.pk,
            "from_stage": from_stage,
            "to_stage": event.to_stage,
            "event": event.pk,
            "at": iso_utc(event.at),
            "allowed_next": stage_targets(event.to_stage, door=Door.AGENT),
        },
        touched=[f"utility:{utility.pk}"],
    )


register(
    Tool(
        name="update_vnb_status",
        description=(
            "Move a utility to another pipeline stage through the pipeline's transition rules, recorded in its "
            "history with the door 'agent'. Allowed moves: lead→contacted, contacted→demo, demo→trial or back to "
            "contacted, trial→paid, paid→churned, churned→trial, lost→lead, and any open stage→lost (needs a 'note' "
            "with the reason). An illegal move answers 409 stage_move_refused with details.allowed, the stages it "
            "may move to now. Move a stage only after the step really happened (a reply, a demo held)."
        ),
        scope=Scope.PIPELINE_WRITE,
        arguments=StatusArguments,
        run=update_vnb_status,
        writes=True,
        **example_of("update_vnb_status"),
    )
)


# -- score_vnb --------------------------------------------------------------------------------------------------


class UtilityArguments(serializers.Serializer):
    utility = serializers.IntegerField(min_value=1)


def score_vnb(caller, arguments: dict) -> ToolAnswer:
    require_staff(caller)
    utility = utility_rescore(utility=utility_get(pk=arguments["utility"]))
    parts = utility.score_breakdown["parts"]
    return ToolAnswer(
        data={
            "utility": utility.pk,
            "name": utility.name,
            "score": utility.score,
            "scored_at": iso_utc(utility.scored_at),
            "parts": parts,
            "sentences": [parts[factor]["explanation"] for factor in FACTORS],
        },
        touched=[f"utility:{utility.pk}"],
    )


register(
    Tool(
        name="score_vnb",
        description=(
            "Rescore a utility from the market data stored now (population, untapped roof solar potential, known "
            "competitor, smart-meter share) and return the score 0-100 with each factor's weight, value, points "
            "and a German sentence explaining it. Use it after market data changed or before drafting outreach; "
            "cite the sentences, never invent figures."
        ),
        scope=Scope.PIPELINE_WRITE,
        arguments=UtilityArguments,
        run=score_vnb,
        writes=True,
        **example_of("score_vnb"),
    )
)


# -- get_pipeline_dashboard -------------------------------------------------------------------------------------


class DashboardArguments(serializers.Serializer):
    canton = serializers.ChoiceField(choices=Canton.values, required=False)


def get_pipeline_dashboard(caller, arguments: dict) -> ToolAnswer:
    require_staff(caller)
    canton = arguments.get("canton")
    figures = dashboard_figures(canton=canton, today=local_today())
    return ToolAnswer(data={**figures, "subscriptions": subscription_figures(canton=canton)})


register(
    Tool(
        name="get_pipeline_dashboard",
        description=(
            "The pipeline dashboard as data, for the whole market or one 'canton': utilities per stage and how many "
            "ever reached it, conversion between consecutive funnel stages in percent, median days spent per "
            "stage, overdue next actions (with days overdue) and the top-scored leads nobody has contacted yet. "
            "Use it for the weekly overview and to explain where the funnel stalls."
        ),
        scope=Scope.PIPELINE_READ,
        arguments=DashboardArguments,
        run=get_pipeline_dashboard,
        **example_of("get_pipeline_dashboard"),
    )
)


# -- get_pipeline_briefing --------------------------------------------------------------------------------------


class BriefingArguments(serializers.Serializer):
    pass


def get_pipeline_briefing(caller, arguments: dict) -> ToolAnswer:
    require_staff(caller)
    briefing = latest_briefing()
    if briefing is None:
        raise ApiError("briefing_missing", _("Es gibt noch kein Tagesbriefing der Pipeline."), status=404, details={})
    return ToolAnswer(
        data={
            "day": briefing.day.isoformat(),
            "created_at": iso_utc(briefing.created_at),
            "text": briefing.text,
            "figures": briefing.figures,
        }
    )


register(
    Tool(
        name="get_pipeline_briefing",
        description=(
            "The latest daily pipeline briefing (made each morning): yesterday's stage changes, contacts and new "
            "drafts, what is due today, overdue next actions, the top leads and the stage counts, as German text "
            "and as figures. Start the daily pipeline review here."
        ),
        scope=Scope.PIPELINE_READ,
        arguments=BriefingArguments,
        run=get_pipeline_briefing,
        **example_of("get_pipeline_briefing"),
    )
)
