"""The funnel figures as plain data, for the admin dashboard and the agent API alike.

Four queries whatever the size of the market: the utilities' stages, their stage events, the overdue next
actions and the top untouched leads. Everything else is counted in Python from those rows.
"""

from collections import defaultdict
from datetime import date, datetime
from itertools import pairwise
from statistics import median

from django.db.models import Q

from pipeline import selectors
from pipeline.models import PipelineEvent, Stage, Utility

FUNNEL = (Stage.LEAD, Stage.CONTACTED, Stage.DEMO, Stage.TRIAL, Stage.PAID)
# How far along the funnel each stage lies; a churned customer has been paying, a lost one left from
# wherever its last event says.
POSITION = {**{stage.value: index for index, stage in enumerate(FUNNEL)}, Stage.CHURNED.value: FUNNEL.index(Stage.PAID)}
UNTOUCHED_LIMIT = 10
SECONDS_PER_DAY = 24 * 60 * 60


def owner_name(user) -> str:
    return "" if user is None else (user.get_full_name() or user.get_username())


def _in_canton(canton: str | None, prefix: str = "") -> Q:
    return Q(**{f"{prefix}canton": canton}) if canton else Q()


def _reached(stages: dict[int, str], events: list[tuple]) -> dict[str, int]:
    """How many utilities got at least as far as each funnel stage (from their stage and their history)."""
    furthest = {pk: POSITION.get(stage, -1) for pk, stage in stages.items()}
    for pk, _at, from_stage, to_stage in events:
        furthest[pk] = max(furthest.get(pk, -1), POSITION.get(from_stage, -1), POSITION.get(to_stage, -1))
    return {
        stage.value: sum(1 for position in furthest.values() if position >= index) for index, stage in enumerate(FUNNEL)
    }


def _stays(created: dict[int, datetime], events: list[tuple]) -> dict[str, list[float]]:
    """Days spent in each stage that was left again: from entering it (or creation) to the next stage event."""
    stays = defaultdict(list)
    entered: dict[int, datetime] = {}
    for pk, at, from_stage, _to_stage in events:  # ordered by utility and time
        start = entered.get(pk, created.get(pk))
        if start is not None:
            stays[from_stage].append((at - start).total_seconds() / SECONDS_PER_DAY)
        entered[pk] = at
    return stays


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def dashboard_figures(*, canton: str | None = None, today: date) -> dict:
    """Stage counts, conversion between consecutive funnel stages, median days per stage, overdue next actions
    and the top-scored leads nobody has contacted yet; for one canton or (``None``) the whole market."""
    rows = list(Utility.objects.filter(_in_canton(canton)).values_list("pk", "stage", "created_at"))
    events = list(
        PipelineEvent.objects.filter(_in_canton(canton, "utility__"), kind=PipelineEvent.Kind.STAGE)
        .order_by("utility_id", "at", "pk")
        .values_list("utility_id", "at", "from_stage", "to_stage")
    )
    counts = defaultdict(int)
    for _pk, stage, _created in rows:
        counts[stage] += 1
    reached = _reached({pk: stage for pk, stage, _created in rows}, events)
    stays = _stays({pk: created for pk, _stage, created in rows}, events)
    late = selectors.pipeline_list(canton=canton, overdue=True, today=today).order_by("next_action_due", "name", "pk")
    untouched = (
        Utility.objects.filter(_in_canton(canton), stage=Stage.LEAD, last_contact_at__isnull=True, score__isnull=False)
        .exclude(pipeline_events__kind=PipelineEvent.Kind.CONTACT)
        .order_by("-score", "name", "pk")
        .values("pk", "name", "canton", "score")[:UNTOUCHED_LIMIT]
    )
    return {
        "canton": canton,
        "today": today.isoformat(),
        "total": len(rows),
        "stages": [
            {
                "stage": stage.value,
                "label": str(stage.label),
                "count": counts[stage.value],
                "reached": reached.get(stage.value),
            }
            for stage in Stage
        ],
        "conversion": [
            {
                "from_stage": this.value,
                "to_stage": following.value,
                "reached": reached[this.value],
                "reached_next": reached[following.value],
                "percent": _percent(reached[following.value], reached[this.value]),
            }
            for this, following in pairwise(FUNNEL)
        ],
        "median_days": [
            {
                "stage": stage.value,
                "label": str(stage.label),
                "days": round(median(stays[stage.value]), 1) if stays[stage.value] else None,
                "stays": len(stays[stage.value]),
            }
            for stage in FUNNEL
        ],
        "overdue": [
            {
                "id": utility.pk,
                "name": utility.name,
                "canton": utility.canton,
                "stage": utility.stage,
                "owner": owner_name(utility.owner),
                "next_action": utility.next_action,
                "due": utility.next_action_due.isoformat(),
                "days_overdue": (today - utility.next_action_due).days,
            }
            for utility in late
        ],
        "untouched_leads": [
            {"id": row["pk"], "name": row["name"], "canton": row["canton"], "score": row["score"]} for row in untouched
        ],
    }
