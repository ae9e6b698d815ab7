"""formation-pipeline: where the communities of a canton or municipality stand in their formation.

- ``states``: communities per formation state (every state listed, zeros included: a count of none is a fact);
- ``median_days``: per state, the median time communities spent in it before moving on, from the formation history
  (a stay starts at the step into the state, or at the community's creation for the first state, and ends at the
  step out of it; communities still in a state do not count for it); null where no community has left the state;
- ``blocked``: communities waiting at the eligibility gate (state "participants complete") whose eligibility check
  fails, counted per failed rule code (``communities.eligibility``; a community failing two rules counts for both).
  The check runs per waiting community, so this part's queries grow with the number of communities at the gate.

A client linked to a utility also gets ``own_communities``: its own communities in the area one by one (id, name,
state, since when, failed rule codes). Everyone else gets counts only: no names, no ids.
"""

from collections import Counter, defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from rest_framework import serializers

from api.b2b.figures.places import PlaceAnswer, PlaceQuery, place_of
from api.b2b.figures.quantiles import quantile
from api.b2b.scope import ClientScope
from communities.eligibility import eligibility_check
from communities.models import Community, CommunityStatus, FormationStep

ENDPOINT = "formation-pipeline"
PER_UTILITY = True  # a utility-linked client's answer lists its own communities: cached per utility
GATE = CommunityStatus.PARTICIPANTS_COMPLETE
_SECONDS_PER_DAY = Decimal(86400)
_TENTH = Decimal("0.1")


class FormationPipelineQuery(PlaceQuery):
    """A canton, a municipality (BFS number), or neither for all of Switzerland."""


class MedianDays(serializers.Serializer):
    status = serializers.ChoiceField(choices=CommunityStatus.choices)
    stays = serializers.IntegerField(help_text="abgeschlossene Aufenthalte in diesem Status")
    median_days = serializers.CharField(allow_null=True)


class StateCount(serializers.Serializer):
    status = serializers.ChoiceField(choices=CommunityStatus.choices)
    label = serializers.CharField()
    communities = serializers.IntegerField()


class RuleCount(serializers.Serializer):
    rule = serializers.CharField(help_text="Code der nicht erfüllten Regel (communities.eligibility)")
    communities = serializers.IntegerField()


class Blocked(serializers.Serializer):
    communities = serializers.IntegerField()
    by_rule = RuleCount(many=True)


class OwnCommunity(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=CommunityStatus.choices)
    since = serializers.DateTimeField()
    blocking_rules = serializers.ListField(child=serializers.CharField())


class FormationPipelineAnswer(serializers.Serializer):
    place = PlaceAnswer()
    communities = serializers.IntegerField()
    states = StateCount(many=True)
    median_days = MedianDays(many=True)
    blocked = Blocked()
    own_communities = OwnCommunity(many=True, required=False, help_text="nur für Kunden eines Netzbetreibers")


EXAMPLE = {
    "place": {"level": "canton", "canton": "ZH", "municipality": None},
    "communities": 12,
    "states": [
        {"status": status, "label": str(label), "communities": count}
        for (status, label), count in zip(CommunityStatus.choices, [3, 2, 1, 1, 1, 0, 1, 3, 0, 0], strict=True)
    ],
    "median_days": [{"status": "draft", "stays": 9, "median_days": "14.5"}],
    "blocked": {"communities": 1, "by_rule": [{"rule": "smart_meter", "communities": 1}]},
    "own_communities": [
        {
            "id": 17,
            "name": "LEG Sonnenhalde",
            "status": "participants_complete",
            "since": "2026-05-04T08:12:00Z",
            "blocking_rules": ["smart_meter"],
        }
    ],
}


def _area(query: dict):
    communities = Community.objects.all()
    if query.get("municipality") is not None:
        return communities.filter(municipality=query["municipality"])
    if query.get("canton"):
        return communities.filter(municipality__canton=query["canton"])
    return communities


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _stays(communities: dict[int, dict]) -> tuple[dict[str, list[Decimal]], dict[int, datetime]]:
    """Completed stays per state (days) and, per community, when it entered its current state."""
    steps = FormationStep.objects.filter(community_id__in=communities).order_by("community_id", "at", "pk")
    stays: dict[str, list[Decimal]] = defaultdict(list)
    entered = {pk: row["created_at"] for pk, row in communities.items()}
    for community_id, from_status, at in steps.values_list("community_id", "from_status", "at"):
        seconds = Decimal((at - entered[community_id]).total_seconds())
        stays[from_status].append(max(seconds, Decimal(0)) / _SECONDS_PER_DAY)
        entered[community_id] = at
    return stays, entered


def _failed_rules(community_ids: list[int]) -> dict[int, list[str]]:
    waiting = Community.objects.filter(pk__in=community_ids).select_related("utility", "municipality")
    failed = {}
    for community in waiting:
        codes = [result.code for result in eligibility_check(community=community).failed]
        if codes:
            failed[community.pk] = codes
    return failed


def compute(scope: ClientScope, query: dict) -> dict:
    communities = {row["pk"]: row for row in _area(query).values("pk", "name", "status", "utility_id", "created_at")}
    per_state = Counter(row["status"] for row in communities.values())
    stays, entered = _stays(communities)
    failed = _failed_rules([pk for pk, row in communities.items() if row["status"] == GATE])
    by_rule = Counter(code for codes in failed.values() for code in codes)
    answer = {
        "place": place_of(query),
        "communities": len(communities),
        "states": [
            {"status": status, "label": str(label), "communities": per_state.get(status, 0)}
            for status, label in CommunityStatus.choices
        ],
        "median_days": [
            {
                "status": status,
                "stays": len(stays.get(status, [])),
                "median_days": (
                    str(quantile(stays[status], Decimal("0.5")).quantize(_TENTH, rounding=ROUND_HALF_UP))
                    if stays.get(status)
                    else None
                ),
            }
            for status in CommunityStatus.values
        ],
        "blocked": {
            "communities": len(failed),
            "by_rule": [{"rule": code, "communities": count} for code, count in sorted(by_rule.items())],
        },
    }
    if scope.utility_id is not None:
        own = sorted(
            (row for row in communities.values() if row["utility_id"] == scope.utility_id),
            key=lambda row: (row["name"], row["pk"]),
        )
        answer["own_communities"] = [
            {
                "id": row["pk"],
                "name": row["name"],
                "status": row["status"],
                "since": _iso(entered[row["pk"]]),
                "blocking_rules": failed.get(row["pk"], []),
            }
            for row in own
        ]
    return answer
