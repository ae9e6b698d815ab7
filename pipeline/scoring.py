"""The score of a utility, 0 to 100, and why: one pure function over figures gathered beforehand.

Each factor has a value from 0 to 1; its points are value × weight; the weights add up to 100.
Population and untapped solar potential saturate: ``x / (x + half)``, so the reference figure
``half`` earns half the factor and no utility can grow beyond the full weight. Missing market data
earns 0 points for its factor, and its sentence says that the data is missing.

No models and no settings here: ``pipeline.selectors.score_inputs_of`` gathers the inputs and
``pipeline.services.utility_rescore`` passes the weights from the settings.
"""

from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from openleg.formats import swiss_number

FACTORS = ("population", "solar", "competition", "smart_meters")
_VALUE_PLACES = Decimal("0.001")
_POINT_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class ScoreReferences:
    """The assumptions behind the curves (settings PIPELINE_SCORE_*, PIPELINE_PV_YIELD_KWH_PER_KWP)."""

    population_half: int
    untapped_solar_half_mwh: Decimal
    pv_yield_kwh_per_kwp: Decimal
    smart_meter_share_default: Decimal


@dataclass(frozen=True)
class ScoreInputs:
    """What the database holds about one utility, summed over the municipalities it serves.

    The ``*_recorded`` counts say for how many municipalities a figure exists; the solar sums cover only
    municipalities with both roof potential and installed PV recorded.
    """

    municipalities: int
    population: int | None
    population_recorded: int
    roof_potential_mwh: Decimal | None
    installed_pv_kwp: Decimal | None
    solar_recorded: int
    competitor: str
    smart_meter_share: Decimal | None
    references: ScoreReferences


@dataclass(frozen=True)
class ScorePart:
    weight: int
    value: Decimal
    points: Decimal
    explanation: str


@dataclass(frozen=True)
class Score:
    total: int
    parts: dict[str, ScorePart] = field(default_factory=dict)

    def as_json(self) -> dict:
        """The breakdown as stored on ``Utility.score_breakdown``: plain numbers and the sentences."""
        return {
            "total": self.total,
            "parts": {
                name: {**asdict(part), "value": float(part.value), "points": float(part.points)}
                for name, part in self.parts.items()
            },
        }


def score(inputs: ScoreInputs, weights: dict[str, int]) -> Score:
    """The score of one utility with its explanation; ``weights`` name every factor and add up to 100."""
    _check_weights(weights)
    parts = {}
    for name in FACTORS:
        value, explanation = _FACTOR_FUNCTIONS[name](inputs)
        value = value.quantize(_VALUE_PLACES, ROUND_HALF_UP)
        points = (value * weights[name]).quantize(_POINT_PLACES, ROUND_HALF_UP)
        parts[name] = ScorePart(weight=weights[name], value=value, points=points, explanation=explanation)
    total = sum((part.points for part in parts.values()), Decimal(0)).quantize(Decimal(1), ROUND_HALF_UP)
    return Score(total=int(total), parts=parts)


def _check_weights(weights: dict[str, int]) -> None:
    if sorted(weights) != sorted(FACTORS) or sum(weights.values()) != 100 or min(weights.values()) < 0:
        raise ValueError(f"score weights must name {', '.join(FACTORS)} and add up to 100, got {weights}")


def _saturating(amount: Decimal, half: Decimal) -> Decimal:
    return amount / (amount + half) if amount > 0 else Decimal(0)


def _whole(value) -> str:
    return swiss_number(value, 0)


def _population(inputs: ScoreInputs) -> tuple[Decimal, str]:
    if not inputs.population_recorded:
        return Decimal(0), _("Keine Einwohnerzahlen der versorgten Gemeinden erfasst: 0 Punkte.")
    half = inputs.references.population_half
    return _saturating(Decimal(inputs.population), Decimal(half)), _(
        "%(population)s Einwohner in den versorgten Gemeinden (Einwohnerzahl erfasst für %(recorded)s von "
        "%(count)s Gemeinden); %(half)s Einwohner ergeben den halben Wert."
    ) % {
        "population": _whole(inputs.population),
        "recorded": inputs.population_recorded,
        "count": inputs.municipalities,
        "half": _whole(half),
    }


def solar_produced_mwh(installed_kwp: Decimal, yield_kwh_per_kwp: Decimal) -> Decimal:
    """What installed photovoltaic produces in a year (MWh), at an assumed yield per kWp."""
    return installed_kwp * yield_kwh_per_kwp / 1000


def _solar(inputs: ScoreInputs) -> tuple[Decimal, str]:
    if not inputs.solar_recorded:
        return Decimal(0), _("Solarpotenzial oder installierte Photovoltaik der Gemeinden nicht erfasst: 0 Punkte.")
    references = inputs.references
    produced_mwh = solar_produced_mwh(inputs.installed_pv_kwp, references.pv_yield_kwh_per_kwp)
    untapped_mwh = max(inputs.roof_potential_mwh - produced_mwh, Decimal(0))
    return _saturating(untapped_mwh, references.untapped_solar_half_mwh), _(
        "Dachpotenzial %(roof)s MWh/Jahr, davon erzeugen %(kwp)s kWp installierte Photovoltaik rund "
        "%(produced)s MWh/Jahr (%(yield)s kWh pro kWp): ungenutzt %(untapped)s MWh/Jahr "
        "(erfasst für %(recorded)s von %(count)s Gemeinden); %(half)s MWh/Jahr ergeben den halben Wert."
    ) % {
        "roof": _whole(inputs.roof_potential_mwh),
        "kwp": _whole(inputs.installed_pv_kwp),
        "produced": _whole(produced_mwh),
        "yield": _whole(references.pv_yield_kwh_per_kwp),
        "untapped": _whole(untapped_mwh),
        "recorded": inputs.solar_recorded,
        "count": inputs.municipalities,
        "half": _whole(references.untapped_solar_half_mwh),
    }


def _competition(inputs: ScoreInputs) -> tuple[Decimal, str]:
    competitor = inputs.competitor.strip()
    if competitor:
        return Decimal(0), _("Der Netzbetreiber nutzt für LEG bereits «%(competitor)s»: 0 Punkte.") % {
            "competitor": competitor
        }
    return Decimal(1), _("Keine LEG-Plattform und kein eigenes LEG-Angebot des Netzbetreibers bekannt.")


def _smart_meters(inputs: ScoreInputs) -> tuple[Decimal, str]:
    share = inputs.smart_meter_share
    if share is None:
        share = inputs.references.smart_meter_share_default
        return share, _(
            "Anteil intelligenter Messsysteme nicht erfasst; gerechnet wird mit dem Standardwert %(percent)s %%."
        ) % {"percent": _whole(share * 100)}
    return share, _("%(percent)s %% der Messpunkte haben ein intelligentes Messsystem (nötig für jede LEG).") % {
        "percent": _whole(share * 100)
    }


_FACTOR_FUNCTIONS = {
    "population": _population,
    "solar": _solar,
    "competition": _competition,
    "smart_meters": _smart_meters,
}
