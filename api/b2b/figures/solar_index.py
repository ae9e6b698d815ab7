"""solar-index: installed photovoltaic, roof potential and the untapped share of a canton, a municipality or
all of Switzerland, from the market data recorded per municipality.

Only municipalities with both figures recorded count (the same rule as the pipeline score); the answer says how
many of the area's municipalities that is. Without any, the answer says so (``data: false`` and a reason) instead of
showing zeros. The untapped share is (roof potential − what the installed kWp produce at the assumed yield) / roof
potential, never below 0.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from rest_framework import serializers

from api.b2b.figures.places import PlaceAnswer, PlaceQuery, place_of
from api.b2b.scope import ClientScope
from pipeline.models import Municipality
from pipeline.scoring import solar_produced_mwh

ENDPOINT = "solar-index"
_RECORDED = Q(installed_pv_kwp__isnull=False, roof_potential_mwh__isnull=False)
_TENTH = Decimal("0.1")


class SolarIndexQuery(PlaceQuery):
    """A canton, a municipality (BFS number), or neither for all of Switzerland."""


class SolarIndexAnswer(serializers.Serializer):
    place = PlaceAnswer()
    data = serializers.BooleanField(help_text="false: keine Marktdaten für dieses Gebiet erfasst.")
    reason = serializers.CharField(allow_null=True)
    municipalities = serializers.IntegerField(help_text="Gemeinden im Gebiet.")
    municipalities_with_data = serializers.IntegerField(help_text="davon mit installierter PV und Dachpotenzial.")
    installed_pv_kwp = serializers.CharField(allow_null=True)
    roof_potential_mwh = serializers.CharField(allow_null=True, help_text="MWh pro Jahr.")
    produced_mwh = serializers.CharField(allow_null=True, help_text="MWh pro Jahr bei der angenommenen Ausbeute.")
    pv_yield_kwh_per_kwp = serializers.CharField()
    untapped_share_percent = serializers.CharField(allow_null=True)


EXAMPLE = {
    "place": {"level": "canton", "canton": "ZH", "municipality": None},
    "data": True,
    "reason": None,
    "municipalities": 160,
    "municipalities_with_data": 158,
    "installed_pv_kwp": "412345.6",
    "roof_potential_mwh": "3821000.0",
    "produced_mwh": "412345.6",
    "pv_yield_kwh_per_kwp": "1000",
    "untapped_share_percent": "89.2",
}


def _area(query: dict):
    municipalities = Municipality.objects.all()
    if query.get("municipality") is not None:
        return municipalities.filter(pk=query["municipality"].pk)
    if query.get("canton"):
        return municipalities.filter(canton=query["canton"])
    return municipalities


def compute(scope: ClientScope, query: dict) -> dict:
    sums = _area(query).aggregate(
        municipalities=Count("pk"),
        recorded=Count("pk", filter=_RECORDED),
        installed_kwp=Sum("installed_pv_kwp", filter=_RECORDED),
        roof_mwh=Sum("roof_potential_mwh", filter=_RECORDED),
    )
    yield_kwh_per_kwp = settings.PIPELINE_PV_YIELD_KWH_PER_KWP
    answer = {
        "place": place_of(query),
        "data": False,
        "reason": None,
        "municipalities": sums["municipalities"],
        "municipalities_with_data": sums["recorded"],
        "installed_pv_kwp": None,
        "roof_potential_mwh": None,
        "produced_mwh": None,
        "pv_yield_kwh_per_kwp": str(yield_kwh_per_kwp),
        "untapped_share_percent": None,
    }
    if not sums["recorded"]:
        answer["reason"] = _("Für dieses Gebiet sind keine Marktdaten (installierte PV und Dachpotenzial) erfasst.")
        return answer
    installed, roof = sums["installed_kwp"], sums["roof_mwh"]
    produced = solar_produced_mwh(installed, yield_kwh_per_kwp)
    answer.update(
        data=True,
        installed_pv_kwp=str(installed.quantize(_TENTH, rounding=ROUND_HALF_UP)),
        roof_potential_mwh=str(roof.quantize(_TENTH, rounding=ROUND_HALF_UP)),
        produced_mwh=str(produced.quantize(_TENTH, rounding=ROUND_HALF_UP)),
    )
    if roof:
        untapped = max(roof - produced, Decimal(0)) * 100 / roof
        answer["untapped_share_percent"] = str(untapped.quantize(_TENTH, rounding=ROUND_HALF_UP))
    else:
        answer["reason"] = _("Das erfasste Dachpotenzial ist 0 MWh: ein ungenutzter Anteil lässt sich nicht angeben.")
    return answer
