"""``grid-optimization``: a community's (or a municipality's, in aggregate) grid figures per month from the stored
quarter-hours, and a what-if rerun of the stored year with more PV and/or a community battery.

``compute(scope, query)`` takes a ``GridOptimizationQuery``'s validated data. A community must belong to the
client's utility (else 404, exactly like an unknown one); a municipality (BFS number) is answered in aggregate for
any client, without what-if. A year without stored values answers ``"data": false`` with the reason.
"""

from datetime import date
from decimal import Decimal

from django.db.models import Max
from django.utils.translation import gettext as _
from rest_framework import serializers

from api.b2b.figures.battery import Battery
from api.b2b.figures.flow_figures import figures, grid_saving_chf, kwh, monthly
from api.b2b.figures.stored_year import StoredYear, load_year
from api.b2b.figures.what_if import ExtraPv, Flows, flows
from api.b2b.scope import ClientScope
from api.errors import invalid, not_found
from communities.models import Community, Membership
from metering.models import DaySeries
from openleg.periods import local_today
from pipeline.models import Municipality

WHAT_IF_FIELDS = ("add_pv_kwp", "pv_producer", "battery_kwh", "battery_kw")
DEFAULT_EFFICIENCY = Decimal("0.900")
_ENERGY = {"max_digits": 10, "decimal_places": 3, "required": False}


class GridOptimizationQuery(serializers.Serializer):
    community = serializers.IntegerField(required=False, help_text="Gemeinschaft (ID) des eigenen Netzbetreibers")
    municipality = serializers.IntegerField(required=False, help_text="Gemeinde (BFS-Nummer), summiert")
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="Standard: das letzte abgeschlossene Jahr mit Daten"
    )
    add_pv_kwp = serializers.DecimalField(**_ENERGY, help_text="zusätzliche PV-Leistung (kWp) beim Produzenten")
    pv_producer = serializers.IntegerField(required=False, help_text="Teilnehmer-ID; Standard: grösster Produzent")
    battery_kwh = serializers.DecimalField(**_ENERGY, help_text="Kapazität der Gemeinschaftsbatterie (kWh)")
    battery_kw = serializers.DecimalField(**_ENERGY, help_text="Lade- und Entladeleistung (kW)")
    battery_efficiency = serializers.DecimalField(
        max_digits=4, decimal_places=3, required=False, default=DEFAULT_EFFICIENCY, help_text="Round-Trip, 0 < η ≤ 1"
    )

    def validate_add_pv_kwp(self, value: Decimal) -> Decimal:
        if value < 0:
            raise serializers.ValidationError(_("Die zusätzliche PV-Leistung darf nicht negativ sein."))
        return value

    def validate_battery_kwh(self, value: Decimal) -> Decimal:
        if value <= 0:
            raise serializers.ValidationError(_("Die Batteriekapazität muss grösser als 0 kWh sein."))
        return value

    def validate_battery_kw(self, value: Decimal) -> Decimal:
        if value <= 0:
            raise serializers.ValidationError(_("Die Batterieleistung muss grösser als 0 kW sein."))
        return value

    def validate_battery_efficiency(self, value: Decimal) -> Decimal:
        if not 0 < value <= 1:
            raise serializers.ValidationError(_("Der Wirkungsgrad muss grösser als 0 und höchstens 1 sein."))
        return value

    def validate(self, attrs: dict) -> dict:
        if ("community" in attrs) == ("municipality" in attrs):
            raise serializers.ValidationError(
                {"community": [_("Bitte genau eines angeben: eine Gemeinschaft oder eine Gemeinde.")]}
            )
        for present, missing in (("battery_kwh", "battery_kw"), ("battery_kw", "battery_kwh")):
            if present in attrs and missing not in attrs:
                raise serializers.ValidationError(
                    {missing: [_("Für eine Batterie braucht es Kapazität (kWh) und Leistung (kW).")]}
                )
        if "pv_producer" in attrs and "add_pv_kwp" not in attrs:
            raise serializers.ValidationError({"pv_producer": [_("Ein Produzent gilt nur mit add_pv_kwp.")]})
        if "municipality" in attrs:
            asked = [name for name in WHAT_IF_FIELDS if name in attrs]
            if asked:
                raise serializers.ValidationError(
                    {asked[0]: [_("Eine Was-wäre-wenn-Rechnung gibt es nur für eine einzelne Gemeinschaft.")]}
                )
            attrs["canton"] = _municipality(attrs["municipality"]).canton
        else:
            scope = self.context.get("scope", ClientScope())
            attrs["canton"] = _community(scope, attrs["community"]).municipality.canton
        return attrs


def _community(scope: ClientScope, community_id: int) -> Community:
    """The client's own community; another utility's looks exactly like an unknown one."""
    community = (
        Community.objects.select_related("utility", "municipality")
        .filter(pk=community_id, utility_id=scope.utility_id)
        .first()
        if scope.utility_id is not None
        else None
    )
    if community is None:
        raise not_found(_("Gemeinschaft"), community_id)
    return community


def _municipality(bfs_number: int) -> Municipality:
    municipality = Municipality.objects.filter(bfs_number=bfs_number).first()
    if municipality is None:
        raise not_found(_("Gemeinde"), bfs_number)
    return municipality


def default_year(communities) -> int | None:
    """The last calendar year that has ended and holds stored values of these communities' members."""
    points = Membership.objects.filter(participant__community__in=communities).values("metering_point_id")
    latest = DaySeries.objects.filter(metering_point_id__in=points, day__lt=date(local_today().year, 1, 1)).aggregate(
        latest=Max("day")
    )["latest"]
    return latest.year if latest else None


def compute(scope: ClientScope, query: dict) -> dict:
    if "municipality" in query:
        return _municipality_answer(_municipality(query["municipality"]), query.get("year"))
    community = _community(scope, query["community"])
    year = query.get("year") or default_year([community])
    answer = {
        "community": community.pk,
        "municipality": community.municipality.bfs_number,
        "name": community.name,
        "canton": community.municipality.canton,
        "year": year,
    }
    stored = load_year(community, year) if year else None
    if stored is None or not stored.has_data:
        return {**answer, **_no_data(year)}
    today = flows(stored)
    answer.update(_figures(today, year, [(stored, today)]))
    answer["what_if"] = _what_if(stored, today, query) if _asks_what_if(query) else None
    return answer


def _municipality_answer(municipality: Municipality, year: int | None) -> dict:
    communities = list(Community.objects.filter(municipality=municipality).select_related("utility").order_by("pk"))
    year = year or default_year(communities)
    answer = {
        "community": None,
        "municipality": municipality.bfs_number,
        "name": municipality.name,
        "canton": municipality.canton,
        "year": year,
    }
    stored = [load_year(community, year) for community in communities] if year else []
    stored = [one for one in stored if one.has_data]
    if not stored:
        return {**answer, **_no_data(year)}
    each = [(one, flows(one)) for one in stored]
    total = each[0][1]
    for _one, more in each[1:]:
        total = total + more
    return {**answer, **_figures(total, year, each), "what_if": None}


def _no_data(year: int | None) -> dict:
    reason = (
        _("Für %(year)s sind keine Messwerte gespeichert.") % {"year": year}
        if year
        else _("Es sind keine Messwerte aus einem abgeschlossenen Jahr gespeichert.")
    )
    return {"data": False, "reason": reason, "communities": 0, "months": [], "totals": None, "what_if": None}


def _figures(total: Flows, year: int, each: list[tuple[StoredYear, Flows]]) -> dict:
    savings = [_saving(stored, int(one.shared.sum())) for stored, one in each]
    year_figures = figures(total, slice(None))
    year_figures["grid_saving_chf"] = None if None in savings else str(sum(savings, Decimal(0)))
    return {
        "data": True,
        "reason": "" if year_figures["grid_saving_chf"] is not None else _no_tariff(),
        "communities": len(each),
        "months": monthly(total, year),
        "totals": year_figures,
    }


def _saving(stored: StoredYear, shared_wh: int) -> Decimal | None:
    return grid_saving_chf(shared_wh, grid_usage_rp_kwh=stored.grid_usage_rp_kwh, reduction_rate=stored.reduction_rate)


def _no_tariff() -> str:
    return _("Beim Netzbetreiber ist kein Netznutzungstarif erfasst: die Einsparung lässt sich nicht beziffern.")


def _asks_what_if(query: dict) -> bool:
    return bool(query.get("add_pv_kwp")) or "battery_kwh" in query


def _what_if(stored: StoredYear, today: Flows, query: dict) -> dict:
    extra_pv = _extra_pv(stored, query) if query.get("add_pv_kwp") else None
    battery = (
        Battery.from_figures(
            capacity_kwh=query["battery_kwh"],
            power_kw=query["battery_kw"],
            efficiency=query.get("battery_efficiency", DEFAULT_EFFICIENCY),
        )
        if "battery_kwh" in query
        else None
    )
    scenario = flows(stored, extra_pv=extra_pv, battery=battery)
    before, after = _outcome(stored, today), _outcome(stored, scenario)
    answer = {
        "parameters": {
            "add_pv_kwp": str(extra_pv.add_kwp) if extra_pv else None,
            "pv_producer": extra_pv.producer_id if extra_pv else None,
            "pv_producer_installed_kwp": str(extra_pv.installed_kwp) if extra_pv else None,
            "battery_kwh": str(query["battery_kwh"]) if battery else None,
            "battery_kw": str(query["battery_kw"]) if battery else None,
            "battery_efficiency": str(query.get("battery_efficiency", DEFAULT_EFFICIENCY)) if battery else None,
        },
        "today": before,
        "scenario": after,
        "difference": {name: _difference(before[name], after[name]) for name in before},
        "battery": _battery_figures(scenario) if battery else None,
    }
    return answer


def _extra_pv(stored: StoredYear, query: dict) -> ExtraPv:
    produced = stored.production_by_producer()
    producer = query.get("pv_producer")
    if producer is None:
        if not produced:
            raise invalid({"pv_producer": [_("Die Gemeinschaft hat keinen Produzenten, dem PV zugefügt werden kann.")]})
        producer = max(sorted(produced), key=produced.__getitem__)
    if producer not in stored.installed_kwp:
        raise invalid(
            {
                "pv_producer": [
                    _("Teilnehmer %(id)s produziert %(year)s nicht in dieser Gemeinschaft.")
                    % {"id": producer, "year": stored.year}
                ]
            }
        )
    installed = stored.installed_kwp[producer]
    if not installed:
        raise invalid(
            {
                "pv_producer": [
                    _(
                        "Für den Messpunkt von Teilnehmer %(id)s ist keine installierte Leistung (kWp) erfasst; "
                        "ohne sie lässt sich die zusätzliche Produktion nicht aus dem gemessenen Profil skalieren."
                    )
                    % {"id": producer}
                ]
            }
        )
    return ExtraPv(producer_id=producer, add_kwp=query["add_pv_kwp"], installed_kwp=installed)


def _outcome(stored: StoredYear, one: Flows) -> dict:
    year = figures(one, slice(None))
    saving = _saving(stored, int(one.shared.sum()))
    return {
        "leg_share_percent": year["leg_share_percent"],
        "self_supply_percent": year["self_supply_percent"],
        "shared_kwh": year["shared_kwh"],
        "surplus_kwh": year["surplus_kwh"],
        "production_kwh": year["production_kwh"],
        "grid_saving_chf": str(saving) if saving is not None else None,
    }


def _difference(before: str | None, after: str | None) -> str | None:
    if before is None or after is None:
        return None
    return str(Decimal(after) - Decimal(before))


def _battery_figures(scenario: Flows) -> dict:
    run = scenario.battery
    charged, discharged, left = int(run.charge.sum()), int(run.discharge.sum()), int(run.state[-1])
    return {
        "charged_kwh": kwh(charged),
        "discharged_kwh": kwh(discharged),
        "stored_at_year_end_kwh": kwh(left),
        "losses_kwh": kwh(charged - discharged - left),
    }


class _Figures(serializers.Serializer):
    consumption_kwh = serializers.CharField()
    production_kwh = serializers.CharField()
    shared_kwh = serializers.CharField()
    surplus_kwh = serializers.CharField(help_text="ins Netz eingespeist, über die LEG hinaus")
    leg_share_percent = serializers.CharField(allow_null=True)
    self_supply_percent = serializers.CharField(allow_null=True)
    surplus_hours = serializers.CharField(help_text="Stunden, in denen die Produktion den Verbrauch übertraf")
    feed_in_peak_kw = serializers.CharField(help_text="grösste Viertelstunden-Einspeisung als kW")


class _Month(_Figures):
    month = serializers.CharField()
    data = serializers.BooleanField()
    reason = serializers.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in _Figures().fields:
            self.fields[name].required = False


class _Totals(_Figures):
    grid_saving_chf = serializers.CharField(allow_null=True)


class _Outcome(serializers.Serializer):
    leg_share_percent = serializers.CharField(allow_null=True)
    self_supply_percent = serializers.CharField(allow_null=True)
    shared_kwh = serializers.CharField()
    surplus_kwh = serializers.CharField()
    production_kwh = serializers.CharField()
    grid_saving_chf = serializers.CharField(allow_null=True)


class _Difference(serializers.Serializer):
    leg_share_percent = serializers.CharField(allow_null=True)
    self_supply_percent = serializers.CharField(allow_null=True)
    shared_kwh = serializers.CharField(allow_null=True)
    surplus_kwh = serializers.CharField(allow_null=True)
    production_kwh = serializers.CharField(allow_null=True)
    grid_saving_chf = serializers.CharField(allow_null=True)


class _Parameters(serializers.Serializer):
    add_pv_kwp = serializers.CharField(allow_null=True)
    pv_producer = serializers.IntegerField(allow_null=True)
    pv_producer_installed_kwp = serializers.CharField(allow_null=True)
    battery_kwh = serializers.CharField(allow_null=True)
    battery_kw = serializers.CharField(allow_null=True)
    battery_efficiency = serializers.CharField(allow_null=True)


class _BatteryFigures(serializers.Serializer):
    charged_kwh = serializers.CharField()
    discharged_kwh = serializers.CharField()
    stored_at_year_end_kwh = serializers.CharField()
    losses_kwh = serializers.CharField()


class _WhatIf(serializers.Serializer):
    parameters = _Parameters()
    today = _Outcome()
    scenario = _Outcome()
    difference = _Difference()
    battery = _BatteryFigures(allow_null=True)


class GridOptimizationAnswer(serializers.Serializer):
    community = serializers.IntegerField(allow_null=True)
    municipality = serializers.IntegerField(help_text="BFS-Nummer")
    name = serializers.CharField()
    canton = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    data = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    communities = serializers.IntegerField(help_text="Gemeinschaften mit Daten in der Summe")
    months = _Month(many=True)
    totals = _Totals(allow_null=True)
    what_if = _WhatIf(allow_null=True)


# From benchmarks/bench_b2b_what_if.py (a 50-participant year; two of its twelve months shown), renamed.
EXAMPLE = {
    "community": 17,
    "municipality": 261,
    "name": "LEG Hegibach",
    "canton": "ZH",
    "year": 2025,
    "data": True,
    "reason": "",
    "communities": 1,
    "months": [
        {
            "month": "2025-06",
            "data": True,
            "consumption_kwh": "17699.038",
            "production_kwh": "35050.798",
            "shared_kwh": "7566.847",
            "surplus_kwh": "27483.951",
            "leg_share_percent": "42.8",
            "self_supply_percent": "21.6",
            "surplus_hours": "295.25",
            "feed_in_peak_kw": "286.924",
        },
        {
            "month": "2025-12",
            "data": True,
            "consumption_kwh": "17624.155",
            "production_kwh": "33128.730",
            "shared_kwh": "7527.840",
            "surplus_kwh": "25600.890",
            "leg_share_percent": "42.7",
            "self_supply_percent": "22.7",
            "surplus_hours": "305.75",
            "feed_in_peak_kw": "237.128",
        },
    ],
    "totals": {
        "consumption_kwh": "225834.403",
        "production_kwh": "395844.065",
        "shared_kwh": "95468.539",
        "surplus_kwh": "300375.526",
        "leg_share_percent": "42.3",
        "self_supply_percent": "24.1",
        "surplus_hours": "3548.5",
        "feed_in_peak_kw": "286.924",
        "grid_saving_chf": "3627.80",
    },
    "what_if": {
        "parameters": {
            "add_pv_kwp": "20.000",
            "pv_producer": 38,
            "pv_producer_installed_kwp": "15.000",
            "battery_kwh": "100.000",
            "battery_kw": "50.000",
            "battery_efficiency": "0.900",
        },
        "today": {
            "leg_share_percent": "42.3",
            "self_supply_percent": "24.1",
            "shared_kwh": "95468.539",
            "surplus_kwh": "300375.526",
            "production_kwh": "395844.065",
            "grid_saving_chf": "3627.80",
        },
        "scenario": {
            "leg_share_percent": "59.0",
            "self_supply_percent": "31.6",
            "shared_kwh": "133294.010",
            "surplus_kwh": "297173.181",
            "production_kwh": "434524.342",
            "grid_saving_chf": "5065.17",
        },
        "difference": {
            "leg_share_percent": "16.7",
            "self_supply_percent": "7.5",
            "shared_kwh": "37825.471",
            "surplus_kwh": "-3202.345",
            "production_kwh": "38680.277",
            "grid_saving_chf": "1437.37",
        },
        "battery": {
            "charged_kwh": "40560.598",
            "discharged_kwh": "36503.447",
            "stored_at_year_end_kwh": "0.000",
            "losses_kwh": "4057.151",
        },
    },
}
