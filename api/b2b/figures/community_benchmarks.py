"""community-benchmarks: how communities compare, from the figures of their approved billing runs.

The period is a year or one month of it; the runs counted are the approved (and issued) runs of that period. Per
community, over its runs of the period:

- members: distinct participants in the membership a run used (its snapshot), the largest over the period;
- LEG share of consumption (%): LEG energy / consumption; only communities that consumed;
- self-supply of production (%): production delivered inside the community / production; only those that produced;
- shared kWh per member: LEG energy / members;
- grid-tariff saving per member (CHF): LEG energy × the grid-usage tariff × the reduction rate each run used (both
  kept in its snapshot), / members; only communities whose runs had a grid-usage tariff.

Distributions give the first quartile, median and third quartile (``quantiles.QUANTILE_METHOD``). k-anonymity: no
figure is built from fewer than ``MINIMUM_COMMUNITIES`` communities. When the selection has fewer, the answer is
``status: "too_few_communities"`` with the count and no figures; a single figure that fewer communities qualify for
(e.g. none produced) is null with that reason.

Everything comes from one query over the runs: the number of queries does not grow with the number of communities.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import BigIntegerField, IntegerField
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from rest_framework import serializers

from api.b2b.figures.places import CantonQuery, PlaceAnswer, place_of
from api.b2b.figures.quantiles import QUANTILE_METHOD, quartiles
from api.b2b.query_fields import QueryChoiceField, QueryIntegerField
from api.b2b.scope import ClientScope
from billing.models import BillingRun, RunStatus

ENDPOINT = "community-benchmarks"
MINIMUM_COMMUNITIES = 5
SIZE_BANDS = {"1-10": (1, 10), "11-30": (11, 30), "31-100": (31, 100), "101+": (101, None)}
COUNTED = (RunStatus.APPROVED, RunStatus.ISSUED)
# The run's members: distinct participants of its membership snapshot, counted in the database (PostgreSQL; SQLite
# for the demo).
_MEMBERS_SQL = {
    "postgresql": (
        "(SELECT count(DISTINCT entry->>'participant') FROM jsonb_array_elements("
        "COALESCE(billing_billingrun.snapshot->'membership', '[]'::jsonb)) AS entry)"
    ),
    "sqlite": (
        "(SELECT count(DISTINCT json_extract(entry.value, '$.participant')) FROM "
        "json_each(billing_billingrun.snapshot, '$.membership') AS entry)"
    ),
}
_PERCENT, _KWH, _CHF = Decimal("0.1"), Decimal("0.001"), Decimal("0.01")


class CommunityBenchmarksQuery(CantonQuery):
    year = QueryIntegerField(min_value=2000, max_value=2100)
    month = QueryIntegerField(required=False, min_value=1, max_value=12)
    size_band = QueryChoiceField(
        choices=list(SIZE_BANDS), required=False, help_text="Grösse nach Mitgliedern: 1-10, 11-30, 31-100, 101+."
    )


class Distribution(serializers.Serializer):
    communities = serializers.IntegerField(help_text="Gemeinschaften, aus denen die Kennzahl gebildet ist")
    q1 = serializers.CharField(allow_null=True)
    median = serializers.CharField(allow_null=True)
    q3 = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)


class Figures(serializers.Serializer):
    members = Distribution()
    leg_share_percent = Distribution()
    self_supply_percent = Distribution()
    shared_kwh_per_member = Distribution()
    saving_chf_per_member = Distribution()


class Period(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField(allow_null=True)


class CommunityBenchmarksAnswer(serializers.Serializer):
    place = PlaceAnswer()
    period = Period()
    size_band = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["ok", "too_few_communities"])
    communities = serializers.IntegerField()
    minimum_communities = serializers.IntegerField()
    quantile_method = serializers.CharField()
    reason = serializers.CharField(allow_null=True)
    figures = Figures(allow_null=True)


def _example_distribution(n, q1, median, q3):
    return {"communities": n, "q1": q1, "median": median, "q3": q3, "reason": None}


EXAMPLE = {
    "place": {"level": "canton", "canton": "ZH", "municipality": None},
    "period": {"year": 2026, "month": 6},
    "size_band": "11-30",
    "status": "ok",
    "communities": 42,
    "minimum_communities": MINIMUM_COMMUNITIES,
    "quantile_method": QUANTILE_METHOD,
    "reason": None,
    "figures": {
        "members": _example_distribution(42, "13.0", "18.5", "24.0"),
        "leg_share_percent": _example_distribution(42, "21.4", "28.9", "35.2"),
        "self_supply_percent": _example_distribution(40, "55.0", "71.3", "84.6"),
        "shared_kwh_per_member": _example_distribution(42, "48.210", "61.775", "80.031"),
        "saving_chf_per_member": _example_distribution(42, "1.74", "2.22", "2.88"),
    },
}


@dataclass
class _Community:
    members: int = 0
    consumption_wh: int = 0
    leg_wh: int = 0
    production_wh: int = 0
    delivered_wh: int = 0
    saving_chf: Decimal = Decimal(0)
    saving_known: bool = True
    runs: int = field(default=0)


def _wh(name: str):
    return Cast(KT(f"totals__wh__{name}"), BigIntegerField())


def _runs(query: dict):
    runs = BillingRun.objects.filter(status__in=COUNTED, year=query["year"])
    if query.get("month"):
        runs = runs.filter(month=query["month"])
    if query.get("canton"):
        runs = runs.filter(community__municipality__canton=query["canton"])
    return runs.annotate(
        consumption_wh=_wh("consumption"),
        leg_wh=_wh("leg"),
        production_wh=_wh("production"),
        delivered_wh=_wh("delivered"),
        grid_usage_rp_kwh=KT("snapshot__grid_usage_rp_kwh"),
        reduction_percent=Cast(KT("snapshot__reduction_percent"), IntegerField()),
        members=RawSQL(_MEMBERS_SQL[connection.vendor], [], output_field=IntegerField()),
    ).values_list(
        "community_id",
        "members",
        "consumption_wh",
        "leg_wh",
        "production_wh",
        "delivered_wh",
        "grid_usage_rp_kwh",
        "reduction_percent",
    )


def _per_community(query: dict) -> dict[int, _Community]:
    communities: dict[int, _Community] = defaultdict(_Community)
    for community_id, members, consumption, leg, production, delivered, rp_kwh, percent in _runs(query):
        figures = communities[community_id]
        figures.runs += 1
        figures.members = max(figures.members, members or 0)
        figures.consumption_wh += consumption or 0
        figures.leg_wh += leg or 0
        figures.production_wh += production or 0
        figures.delivered_wh += delivered or 0
        if rp_kwh and percent is not None:
            # Wh × Rp./kWh × % → CHF: / 1000 (kWh) / 100 (CHF) / 100 (%)
            figures.saving_chf += Decimal(leg or 0) * Decimal(rp_kwh) * percent / 10_000_000
        else:
            figures.saving_known = False
    return communities


def _in_band(members: int, band: str | None) -> bool:
    if band is None:
        return True
    low, high = SIZE_BANDS[band]
    return members >= low and (high is None or members <= high)


def _distribution(values: list[Decimal], places: Decimal) -> dict:
    if len(values) < MINIMUM_COMMUNITIES:
        return {"communities": len(values), "q1": None, "median": None, "q3": None, "reason": "too_few_communities"}
    return {"communities": len(values), **quartiles(values, places), "reason": None}


def _figures(selected: list[_Community]) -> dict:
    members = [c for c in selected if c.members]
    return {
        "members": _distribution([Decimal(c.members) for c in members], _PERCENT),
        "leg_share_percent": _distribution(
            [Decimal(c.leg_wh) * 100 / c.consumption_wh for c in selected if c.consumption_wh], _PERCENT
        ),
        "self_supply_percent": _distribution(
            [Decimal(c.delivered_wh) * 100 / c.production_wh for c in selected if c.production_wh], _PERCENT
        ),
        "shared_kwh_per_member": _distribution([Decimal(c.leg_wh) / 1000 / c.members for c in members], _KWH),
        "saving_chf_per_member": _distribution([c.saving_chf / c.members for c in members if c.saving_known], _CHF),
    }


def compute(scope: ClientScope, query: dict) -> dict:
    band = query.get("size_band")
    selected = [c for c in _per_community(query).values() if _in_band(c.members, band)]
    answer = {
        "place": place_of(query),
        "period": {"year": query["year"], "month": query.get("month")},
        "size_band": band,
        "status": "ok",
        "communities": len(selected),
        "minimum_communities": MINIMUM_COMMUNITIES,
        "quantile_method": QUANTILE_METHOD,
        "reason": None,
        "figures": None,
    }
    if len(selected) < MINIMUM_COMMUNITIES:
        answer["status"] = "too_few_communities"
        answer["reason"] = _(
            "Für diese Auswahl gibt es %(count)s Gemeinschaften mit freigegebener Abrechnung; Kennzahlen werden erst "
            "ab %(minimum)s Gemeinschaften gebildet."
        ) % {"count": len(selected), "minimum": MINIMUM_COMMUNITIES}
        return answer
    answer["figures"] = _figures(selected)
    return answer
