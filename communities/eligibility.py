"""The eligibility check of a community: each rule of StromVG Art. 17d / StromVV Art. 19e on its own,
each with a sentence that says why it passed or failed (domain A2, A3, A4, A6).

The check looks at the community as it will be on its start date (today when none is set): the
metering points of every membership that is still open then or starts later.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communities.models import Community, Membership, ParticipantRole
from communities.selectors import members_on_or_after, memberships_elsewhere
from openleg.formats import format_day, format_kw, swiss_number
from openleg.periods import local_today

HIGHEST_LEVEL_AT_MOST_36_KV = 5  # Netzebenen 5 (medium voltage) to 7 (low voltage)
RENEWABLE_ROLES = (ParticipantRole.PRODUCER, ParticipantRole.PROSUMER)


@dataclass(frozen=True)
class RuleResult:
    code: str
    title: str
    passed: bool
    explanation: str


@dataclass(frozen=True)
class Eligibility:
    community_id: int
    reference_date: date
    results: list[RuleResult]

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)

    @property
    def failed(self) -> list[RuleResult]:
        return [result for result in self.results if not result.passed]


@dataclass(frozen=True)
class _Facts:
    community: Community
    on: date
    memberships: list[Membership]
    elsewhere: list[Membership]

    @property
    def points(self):
        return [membership.metering_point for membership in self.memberships]


def eligibility_check(*, community: Community) -> Eligibility:
    facts = _gather(community)
    results = [rule(facts) for rule in RULES]
    return Eligibility(community_id=community.pk, reference_date=facts.on, results=results)


def _gather(community: Community) -> _Facts:
    on = community.start_date or local_today()
    memberships = members_on_or_after(community=community, day=on)
    point_ids = [membership.metering_point_id for membership in memberships]
    elsewhere = list(memberships_elsewhere(community=community, point_ids=point_ids, day=on))
    return _Facts(community=community, on=on, memberships=memberships, elsewhere=elsewhere)


@dataclass(frozen=True)
class Capacities:
    """The minimum production rule in figures: renewable kWp against summed connection kW."""

    installed_kwp: Decimal
    connection_kw: Decimal
    share: Decimal

    @property
    def needed_kw(self) -> Decimal:
        return (self.connection_kw * self.share).quantize(Decimal("0.001"))

    @property
    def percent(self) -> Decimal:
        if not self.connection_kw:
            return Decimal("0.0")
        return (self.installed_kwp * 100 / self.connection_kw).quantize(Decimal("0.1"), ROUND_DOWN)

    @property
    def share_percent(self) -> Decimal:
        return (self.share * 100).normalize()

    @property
    def sufficient(self) -> bool:
        return self.connection_kw > 0 and self.installed_kwp >= self.connection_kw * self.share


def capacities(memberships: list[Membership]) -> Capacities:
    installed = sum(
        (m.metering_point.installed_capacity_kwp for m in memberships if m.participant.role in RENEWABLE_ROLES),
        Decimal(0),
    )
    connection = sum((m.metering_point.connection_capacity_kw for m in memberships), Decimal(0))
    return Capacities(installed_kwp=installed, connection_kw=connection, share=settings.LEG_MIN_PRODUCTION_SHARE)


def _all_points(count: int) -> str:
    return ngettext("Der Messpunkt", "Alle %(count)d Messpunkte", count) % {"count": count}


def _some_points(offenders: list, total: int) -> str:
    return ngettext("%(count)d von %(total)d Messpunkten", "%(count)d von %(total)d Messpunkten", len(offenders)) % {
        "count": len(offenders),
        "total": total,
    }


def _verb(offenders: list, singular: str, plural: str) -> str:
    return singular if len(offenders) == 1 else plural


def _ids(points) -> str:
    return ", ".join(point.mp_id for point in points)


def _for_every_point(
    code: str, title: str, facts: _Facts, offends: Callable, passed: Callable[[str], str], failed: Callable
) -> RuleResult:
    """A rule every metering point must meet; the failure sentence names the points that do not."""
    points = facts.points
    if not points:
        return RuleResult(code, title, False, _("Es ist noch kein Messpunkt erfasst."))
    offenders = [point for point in points if offends(point)]
    if not offenders:
        return RuleResult(code, title, True, passed(_all_points(len(points))))
    return RuleResult(code, title, False, failed(_some_points(offenders, len(points)), offenders))


def same_vnb(facts: _Facts) -> RuleResult:
    utility = facts.community.utility
    return _for_every_point(
        "same_vnb",
        _("Gleicher Netzbetreiber"),
        facts,
        lambda point: point.utility_id != utility.pk,
        lambda all_points: _("%(all)s liegen im Netz von %(utility)s.") % {"all": all_points, "utility": utility.name},
        lambda some, offenders: (
            _verb(
                offenders,
                _("%(some)s liegt nicht im Netz von %(utility)s: %(ids)s."),
                _("%(some)s liegen nicht im Netz von %(utility)s: %(ids)s."),
            )
            % {"some": some, "utility": utility.name, "ids": _ids(offenders)}
        ),
    )


def same_municipality(facts: _Facts) -> RuleResult:
    municipality = facts.community.municipality

    def named(point) -> str:
        where = point.municipality.name if point.municipality else _("Gemeinde nicht erfasst")
        return f"{point.mp_id} ({where})"

    return _for_every_point(
        "same_municipality",
        _("Gleiche Gemeinde"),
        facts,
        lambda point: point.municipality_id != municipality.pk,
        lambda all_points: (
            _("%(all)s liegen in der Gemeinde %(municipality)s.")
            % {"all": all_points, "municipality": municipality.name}
        ),
        lambda some, offenders: (
            _verb(
                offenders,
                _("%(some)s liegt nicht in der Gemeinde %(municipality)s: %(points)s."),
                _("%(some)s liegen nicht in der Gemeinde %(municipality)s: %(points)s."),
            )
            % {"some": some, "municipality": municipality.name, "points": ", ".join(map(named, offenders))}
        ),
    )


def grid_level(facts: _Facts) -> RuleResult:
    code, title = "grid_level", _("Netzebene höchstens 36 kV")
    if facts.community.grid_level < HIGHEST_LEVEL_AT_MOST_36_KV:
        return RuleResult(
            code,
            title,
            False,
            _(
                "Die Gemeinschaft ist auf Netzebene %(level)d erfasst; zulässig sind höchstens 36 kV "
                "(Netzebenen 5 bis 7)."
            )
            % {"level": facts.community.grid_level},
        )
    levels = ", ".join(str(level) for level in sorted({point.grid_level for point in facts.points}))
    return _for_every_point(
        code,
        title,
        facts,
        lambda point: point.grid_level < HIGHEST_LEVEL_AT_MOST_36_KV,
        lambda all_points: (
            _("%(all)s sind auf Netzebene %(levels)s angeschlossen (höchstens 36 kV).")
            % {"all": all_points, "levels": levels}
        ),
        lambda some, offenders: (
            _verb(
                offenders,
                _("%(some)s liegt über 36 kV (Netzebene %(levels)s): %(ids)s."),
                _("%(some)s liegen über 36 kV (Netzebene %(levels)s): %(ids)s."),
            )
            % {
                "some": some,
                "levels": ", ".join(str(level) for level in sorted({point.grid_level for point in offenders})),
                "ids": _ids(offenders),
            }
        ),
    )


def smart_meter(facts: _Facts) -> RuleResult:
    return _for_every_point(
        "smart_meter",
        _("Intelligentes Messsystem"),
        facts,
        lambda point: not point.has_smart_meter,
        lambda all_points: _("%(all)s haben ein intelligentes Messsystem.") % {"all": all_points},
        lambda some, offenders: (
            _verb(
                offenders,
                _("%(some)s hat noch kein intelligentes Messsystem: %(ids)s."),
                _("%(some)s haben noch kein intelligentes Messsystem: %(ids)s."),
            )
            % {"some": some, "ids": _ids(offenders)}
        ),
    )


def one_community(facts: _Facts) -> RuleResult:
    code, title = "one_community", _("Nur in einer Gemeinschaft")
    on = format_day(facts.on)
    if not facts.elsewhere:
        return RuleResult(
            code, title, True, _("Kein Messpunkt gehört ab dem %(date)s zu einer anderen Gemeinschaft.") % {"date": on}
        )
    communities = sorted({membership.participant.community.name for membership in facts.elsewhere})
    listed = ", ".join(
        f"{membership.metering_point.mp_id} ({_until(membership.valid_to)})" for membership in facts.elsewhere
    )
    text = ngettext(
        "%(count)d Messpunkt gehört ab dem %(date)s auch zur Gemeinschaft %(communities)s: %(points)s.",
        "%(count)d Messpunkte gehören ab dem %(date)s auch zur Gemeinschaft %(communities)s: %(points)s.",
        len(facts.elsewhere),
    ) % {
        "count": len(facts.elsewhere),
        "date": on,
        "communities": ", ".join(f"«{name}»" for name in communities),
        "points": listed,
    }
    return RuleResult(code, title, False, text)


def _until(day: date | None) -> str:
    if day is None:
        return _("unbefristet")
    return _("bis %(date)s") % {"date": format_day(day)}


def min_production(facts: _Facts) -> RuleResult:
    figures = capacities(facts.memberships)
    text = _(
        "Erneuerbare Leistung %(installed)s kWp = %(percent)s %% der summierten Anschlussleistung von "
        "%(connection)s kW (nötig sind mindestens %(share)s %% = %(needed)s kW)."
    ) % {
        "installed": format_kw(figures.installed_kwp),
        "percent": swiss_number(figures.percent, 1),
        "connection": format_kw(figures.connection_kw),
        "share": swiss_number(figures.share_percent, 1),
        "needed": format_kw(figures.needed_kw),
    }
    return RuleResult("min_production", _("Mindestanteil Produktion"), figures.sufficient, text)


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - date.resolution).day
    return date(year, month, min(day.day, last_day))


def earliest_start(registered_on: date) -> date:
    """The first of a month at least the lead time (three months) after the registration."""
    after = add_months(registered_on, settings.LEG_REGISTRATION_LEAD_MONTHS)
    return after if after.day == 1 else add_months(after.replace(day=1), 1)


def start_date(facts: _Facts) -> RuleResult:
    code, title = "start_date", _("Startdatum")
    community = facts.community
    start = community.start_date
    if start is None:
        return RuleResult(code, title, False, _("Es ist noch kein Startdatum erfasst."))
    short = format_day
    if start.day != 1:
        return RuleResult(code, title, False, _("Start am %(start)s ist kein Monatserster.") % {"start": short(start)})
    registered = community.registered_on or local_today()
    earliest = earliest_start(registered)
    values = {
        "start": short(start),
        "months": settings.LEG_REGISTRATION_LEAD_MONTHS,
        "registered": short(registered),
        "earliest": short(earliest),
    }
    if start < earliest:
        text = _(
            "Start am %(start)s ist zu früh: frühestens %(months)d Monate nach der Anmeldung vom %(registered)s, "
            "also am %(earliest)s."
        )
        return RuleResult(code, title, False, text % values)
    text = _(
        "Start am %(start)s, einem Monatsersten, frühestens %(months)d Monate nach der Anmeldung vom "
        "%(registered)s (frühestmöglich %(earliest)s)."
    )
    if community.registered_on is None:
        text = _(
            "Start am %(start)s, einem Monatsersten, frühestens %(months)d Monate nach der Anmeldung vom "
            "%(registered)s (frühestmöglich %(earliest)s; Anmeldung noch nicht erfasst, gerechnet ab heute)."
        )
    return RuleResult(code, title, True, text % values)


def reduction_rate(facts: _Facts) -> RuleResult:
    code, title = "reduction_rate", _("Reduktionssatz und Trafokreise")
    points = facts.points
    if not points:
        return RuleResult(code, title, False, _("Es ist noch kein Messpunkt erfasst."))
    circuits = sorted({point.transformer_circuit for point in points if point.transformer_circuit})
    unknown = [point for point in points if not point.transformer_circuit]
    listed = ", ".join(circuits)
    if facts.community.reduction_percent == 20:
        text = ngettext(
            "20 %% Reduktion für %(count)d Trafokreis (%(circuits)s): zulässig.",
            "20 %% Reduktion für %(count)d Trafokreise (%(circuits)s): zulässig.",
            len(circuits),
        )
        return RuleResult(code, title, True, text % {"count": len(circuits), "circuits": listed})
    if unknown:
        text = _("40 %% Reduktion setzt einen bekannten Trafokreis voraus; ohne Trafokreis erfasst: %(ids)s.")
        return RuleResult(code, title, False, text % {"ids": _ids(unknown)})
    if len(circuits) > 1:
        first = points[0].transformer_circuit
        others = [point for point in points if point.transformer_circuit != first]
        text = _(
            "40 %% Reduktion gilt nur, wenn alle Messpunkte im selben Trafokreis liegen; hier sind es "
            "%(count)d Trafokreise (%(circuits)s). Wählen Sie 20 %%. Abweichend: %(ids)s."
        )
        return RuleResult(code, title, False, text % {"count": len(circuits), "circuits": listed, "ids": _ids(others)})
    text = _("%(all)s liegen im Trafokreis %(circuit)s: 40 %% Reduktion ist zulässig.")
    return RuleResult(code, title, True, text % {"all": _all_points(len(points)), "circuit": listed})


RULES = (
    same_vnb,
    same_municipality,
    grid_level,
    smart_meter,
    one_community,
    min_production,
    start_date,
    reduction_rate,
)
