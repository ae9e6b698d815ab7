"""``grid-optimization``: a community's (or a municipality's, in aggregate) grid figures per month from the stored
quarter-hours, and a what-if rerun of the stored year with more PV and/or a community battery.

``compute(scope, query)`` takes a ``GridOptimizationQuery``'s validated data; the door validates with
``context={"scope": scope}`` (without one no community is anybody's). A community must belong to the client's
utility (else 404, exactly like an unknown one, both in validation and in ``compute``); a municipality (BFS number)
is answered in aggregate (its communities' quarter-hours summed) for any client, without what-if. A year without
stored values answers ``"data": false`` with the reason, as does each month without values.

The saving is the grid-tariff reduction on the year's LEG energy, as the invoices state it (kWh × the utility's
grid-usage tariff × the community's 40 or 20 %); without a tariff at the utility it is ``None`` and ``reason`` says
why. The what-if's ``difference`` is scenario − today of the figures as shown (so it adds up on the page).
"""

from datetime import date
from decimal import Decimal

from django.db.models import Max
from django.utils.translation import gettext as _
from rest_framework import serializers

from api.b2b.figures.battery import Battery
from api.b2b.figures.flow_figures import figures, grid_saving_chf, kwh, monthly
from api.b2b.figures.grid_optimization_answer import EXAMPLE, GridOptimizationAnswer
from api.b2b.figures.stored_year import StoredYear, load_year
from api.b2b.figures.what_if import ExtraPv, Flows, flows
from api.b2b.query_fields import QueryDecimalField, QueryIntegerField
from api.b2b.scope import ClientScope
from api.errors import invalid, not_found
from communities.models import Community, Membership
from metering.models import DaySeries
from openleg.periods import local_today
from pipeline.models import Municipality

__all__ = ["ENDPOINT", "EXAMPLE", "GridOptimizationAnswer", "GridOptimizationQuery", "compute"]

ENDPOINT = "grid-optimization"
WHAT_IF_FIELDS = ("add_pv_kwp", "pv_producer", "battery_kwh", "battery_kw")
DEFAULT_EFFICIENCY = Decimal("0.900")
# The allocation engine's stated range (billing.allocation): quarter-hour values below 10^7 Wh, a 40 MW plant.
MAX_QUARTER_HOUR_WH = 10**7
_ENERGY = {"max_digits": 10, "decimal_places": 3, "required": False}


class GridOptimizationQuery(serializers.Serializer):
    community = QueryIntegerField(required=False, help_text="Gemeinschaft (ID) des eigenen Netzbetreibers")
    municipality = QueryIntegerField(required=False, help_text="Gemeinde (BFS-Nummer), summiert")
    year = QueryIntegerField(
        required=False, min_value=2000, max_value=2100, help_text="Standard: das letzte abgeschlossene Jahr mit Daten"
    )
    add_pv_kwp = QueryDecimalField(**_ENERGY, help_text="zusätzliche PV-Leistung (kWp) beim Produzenten")
    pv_producer = QueryIntegerField(required=False, help_text="Teilnehmer-ID; Standard: grösster Produzent")
    battery_kwh = QueryDecimalField(**_ENERGY, help_text="Kapazität der Gemeinschaftsbatterie (kWh)")
    battery_kw = QueryDecimalField(**_ENERGY, help_text="Lade- und Entladeleistung (kW)")
    battery_efficiency = QueryDecimalField(
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
    extra_pv = extra_pv_for(stored, query) if query.get("add_pv_kwp") else None
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
    return {
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


def extra_pv_for(stored: StoredYear, query: dict) -> ExtraPv:
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
    extra_pv = ExtraPv(producer_id=producer, add_kwp=query["add_pv_kwp"], installed_kwp=installed)
    if extra_pv.scaled(stored.peak_production(producer)) > MAX_QUARTER_HOUR_WH:
        raise invalid(
            {
                "add_pv_kwp": [
                    _(
                        "Mit %(kwp)s kWp mehr produzierte Teilnehmer %(id)s in einer Viertelstunde über 10 MWh "
                        "(über 40 MW); so grosse Anlagen rechnet die Simulation nicht."
                    )
                    % {"kwp": extra_pv.add_kwp, "id": producer}
                ]
            }
        )
    return extra_pv


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
