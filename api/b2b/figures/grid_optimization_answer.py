"""The shape of a ``grid-optimization`` answer (for the OpenAPI schema) and a realistic example of one."""

from rest_framework import serializers


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
