"""Reads what a billing run needs for one community and month, and says what is missing or doubtful.

Produces a ``calculation.MonthInput``, the snapshot the run keeps, the VNB's own split where the
data carries it, and the issues (blocking or not) in German for the reconciliation console.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from billing.calculation import PRICE_SCALE, Fee, MonthInput, PriceClass
from billing.models import AllocationSetting
from billing.texts import statement_labels
from communities.models import Community, Membership, Tariff
from metering.parsers.base import Quality
from metering.selectors import plausibility_notes, series_for_period
from openleg.periods import ZURICH, Period, local_day, local_month

_MWH_PER_WH = 1000


@dataclass
class Issue:
    code: str
    message: str
    blocking: bool
    participant_id: int | None = None

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "blocking": self.blocking,
            "participant": self.participant_id,
        }


@dataclass
class Gathered:
    month: MonthInput
    period: Period
    local_days: list[date]
    snapshot: dict
    vnb_leg: np.ndarray | None  # participants x quarter-hours, Wh: the VNB's LEG share of consumption
    vnb_delivered: np.ndarray | None
    vnb_present: np.ndarray | None  # participants x (consumption, production): whether the VNB split it
    provisional: bool
    issues: list[Issue] = field(default_factory=list)


def _short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _price(value: Decimal) -> int:
    return int(Decimal(value) * PRICE_SCALE)


def _to_wh(mwh: np.ndarray) -> np.ndarray:
    return (mwh + _MWH_PER_WH // 2) // _MWH_PER_WH


def gather(community: Community, year: int, month: int) -> Gathered:
    period = local_month(year, month)
    days = [date(year, month, 1) + timedelta(days=n) for n in range(31)]
    days = [day for day in days if day.month == month]
    lengths = [local_day(day).quarter_hours for day in days]
    day_of_slot = np.repeat(np.arange(len(days)), lengths)
    issues: list[Issue] = []

    memberships = list(
        Membership.objects.filter(participant__community=community, valid_from__lte=days[-1])
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=days[0]))
        .select_related("participant", "metering_point")
        .order_by("participant__customer_number", "pk")
    )
    participants = list(dict.fromkeys(m.participant for m in memberships))
    row_of = {p.pk: row for row, p in enumerate(participants)}
    slots = period.quarter_hours
    consumption = np.zeros((len(participants), slots), np.int64)
    production = np.zeros((len(participants), slots), np.int64)
    vnb_leg = np.zeros_like(consumption)
    vnb_delivered = np.zeros_like(production)
    vnb_present = np.zeros((len(participants), 2), bool)
    stored = series_for_period(
        metering_point_ids={m.metering_point_id for m in memberships}, period=period, channels=("total", "leg")
    )
    provisional = False
    for membership in memberships:
        row, point = row_of[membership.participant_id], membership.metering_point
        active = _active_slots(membership, days, day_of_slot)
        if membership.valid_from > days[0] or (membership.valid_to and membership.valid_to < days[-1]):
            issues.append(
                Issue(
                    "partial_membership",
                    _(
                        "%(participant)s: Messpunkt %(mp)s gehört nur vom %(start)s bis %(end)s zur Gemeinschaft; "
                        "abgerechnet werden nur diese Tage."
                    )
                    % {
                        "participant": membership.participant,
                        "mp": point.mp_id,
                        "start": _short(max(membership.valid_from, days[0])),
                        "end": _short(min(membership.valid_to or days[-1], days[-1])),
                    },
                    False,
                    membership.participant_id,
                )
            )
        participant = membership.participant
        found_any = False
        for direction, target, wanted in (
            ("consumption", consumption, participant.consumes),
            ("production", production, participant.produces),
        ):
            series = stored.get((point.pk, direction, "total"))
            if series is None:
                continue
            found_any = True
            if not wanted:
                issues.append(
                    Issue(
                        "unexpected_direction",
                        _(
                            "%(participant)s (Rolle %(role)s): Messpunkt %(mp)s liefert auch %(direction)s; "
                            "diese Werte werden nicht verteilt."
                        )
                        % {
                            "participant": participant,
                            "role": participant.get_role_display(),
                            "mp": point.mp_id,
                            "direction": _("Bezug") if direction == "consumption" else _("Einspeisung"),
                        },
                        False,
                        participant.pk,
                    )
                )
                continue
            target[row] += np.where(active, _to_wh(series.values), 0)
            issues += _quality_issues(series.quality, active, point.mp_id, participant, days, day_of_slot)
            provisional |= bool((series.quality[active] == Quality.PROVISIONAL).any())
            vnb = stored.get((point.pk, direction, "leg"))
            if vnb is not None:
                vnb_present[row, 0 if direction == "consumption" else 1] = True
                (vnb_leg if direction == "consumption" else vnb_delivered)[row] += np.where(
                    active, _to_wh(vnb.values), 0
                )
        if not found_any:
            issues.append(
                Issue(
                    "no_data",
                    _("Messpunkt %(mp)s von %(participant)s hat im ganzen Monat keine Werte.")
                    % {"mp": point.mp_id, "participant": participant},
                    True,
                    participant.pk,
                )
            )

    consumes = np.array([p.consumes for p in participants], bool)
    produces = np.array([p.produces for p in participants], bool)
    price_classes, price_class_of_slot, fees, tariff_snapshot = _prices(
        community, days, day_of_slot, period, participants, memberships, issues
    )
    setting = (
        AllocationSetting.objects.filter(community=community, effective_from__lte=days[0])
        .order_by("-effective_from")
        .prefetch_related("keys")
        .first()
    )
    method, keys, ranks, key_snapshot = _allocation(setting, participants, consumes, issues)
    vat_rate = settings.VAT_STANDARD_RATE if community.is_vat_registered else Decimal(0)
    if community.utility.grid_usage_rp_kwh is None:
        issues.append(
            Issue(
                "no_grid_tariff",
                _(
                    "Für %(utility)s ist kein Netznutzungstarif erfasst: die geschätzte Einsparung fehlt auf den "
                    "Rechnungen."
                )
                % {"utility": community.utility},
                False,
            )
        )
    month_input = MonthInput(
        participant_ids=[p.pk for p in participants],
        consumption=consumption,
        production=production,
        consumes=consumes,
        produces=produces,
        day_of_slot=day_of_slot,
        days=len(days),
        price_class_of_slot=price_class_of_slot,
        price_classes=price_classes,
        fees=fees,
        method=method,
        keys=keys,
        ranks=ranks,
        vat_rate=vat_rate,
        reduction_rate=community.reduction_rate,
        grid_usage_rp_kwh=community.utility.grid_usage_rp_kwh,
        labels=statement_labels(),
    )
    snapshot = {
        "method": method,
        "keys": key_snapshot,
        "tariffs": tariff_snapshot,
        "vat_rate": str(vat_rate),
        "reduction_percent": community.reduction_percent,
        "grid_usage_rp_kwh": str(community.utility.grid_usage_rp_kwh or ""),
        "membership": [
            {
                "participant": m.participant_id,
                "metering_point": m.metering_point.mp_id,
                "from": m.valid_from.isoformat(),
                "to": m.valid_to.isoformat() if m.valid_to else None,
            }
            for m in memberships
        ],
    }
    issues += _plausibility_issues(memberships, period)
    return Gathered(
        month_input,
        period,
        days,
        snapshot,
        vnb_leg if vnb_present.any() else None,
        vnb_delivered if vnb_present.any() else None,
        vnb_present,
        provisional,
        issues,
    )


def _plausibility_issues(memberships: list[Membership], period: Period) -> list[Issue]:
    """The meter data's plausibility notes on the members' points, each for the participant of that day."""
    notes = plausibility_notes(metering_point_ids={m.metering_point_id for m in memberships}, period=period)
    issues = []
    for note in notes:
        member = next(
            (
                m
                for m in memberships
                if m.metering_point_id == note.metering_point_id
                and m.valid_from <= note.day
                and (m.valid_to is None or note.day <= m.valid_to)
            ),
            None,
        )
        if member is not None:
            issues.append(Issue("plausibility", note.message, False, member.participant_id))
    return issues


def _active_slots(membership: Membership, days: list[date], day_of_slot: np.ndarray) -> np.ndarray:
    active_days = np.array(
        [membership.valid_from <= day and (membership.valid_to is None or day <= membership.valid_to) for day in days]
    )
    return active_days[day_of_slot]


def _quality_issues(quality, active, mp_id, participant, days, day_of_slot) -> list[Issue]:
    issues = []
    missing = active & (quality == Quality.MISSING)
    if missing.any():
        missing_days = sorted({days[i] for i in day_of_slot[missing]})
        issues.append(
            Issue(
                "missing_data",
                _(
                    "Messpunkt %(mp)s (%(participant)s): %(count)s Viertelstunden ohne Werte an %(days)s Tagen "
                    "(%(first)s bis %(last)s); sie sind mit 0 gerechnet."
                )
                % {
                    "mp": mp_id,
                    "participant": participant,
                    "count": int(missing.sum()),
                    "days": len(missing_days),
                    "first": _short(missing_days[0]),
                    "last": _short(missing_days[-1]),
                },
                True,
                participant.pk,
            )
        )
    provisional = active & (quality == Quality.PROVISIONAL)
    if provisional.any():
        issues.append(
            Issue(
                "provisional",
                _(
                    "Messpunkt %(mp)s: %(count)s provisorische Werte; Korrekturen werden in der nächsten Periode "
                    "verrechnet."
                )
                % {"mp": mp_id, "count": int(provisional.sum())},
                False,
                participant.pk,
            )
        )
    return issues


def _prices(community, days, day_of_slot, period, participants, memberships, issues):
    """Price class per quarter-hour (base price or time-of-use window of the tariff in force that day)."""
    tariffs = list(
        Tariff.objects.filter(community=community, valid_from__lte=days[-1])
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=days[0]))
        .prefetch_related("windows", "fees")
        .order_by("valid_from")
    )
    classes: list[PriceClass] = []
    class_index: dict[tuple, int] = {}
    tariff_of_day: list[Tariff | None] = [
        next((t for t in tariffs if t.valid_from <= day and (t.valid_to is None or day <= t.valid_to)), None)
        for day in days
    ]
    uncovered = [day for day, tariff in zip(days, tariff_of_day, strict=True) if tariff is None]
    if uncovered:
        issues.append(
            Issue(
                "tariff_missing",
                _(
                    "Für %(count)s Tage (%(first)s bis %(last)s) gilt kein Tarif; für diese Tage kann nicht verrechnet "
                    "werden."
                )
                % {"count": len(uncovered), "first": _short(uncovered[0]), "last": _short(uncovered[-1])},
                True,
            )
        )
    starts = [period.start + timedelta(minutes=15 * n) for n in range(period.quarter_hours)]
    price_class_of_slot = np.full(period.quarter_hours, -1, np.int64)
    for slot, start in enumerate(starts):
        tariff = tariff_of_day[day_of_slot[slot]]
        if tariff is None:
            continue
        local = start.astimezone(ZURICH)
        window = next(
            (
                w
                for w in tariff.windows.all()
                if str(local.isoweekday()) in w.weekdays and w.start_time <= local.time() < w.end_time
            ),
            None,
        )
        key = (tariff.pk, window.pk if window else None)
        if key not in class_index:
            base = window or tariff
            label = window.label if window else (_("Niedertarif") if tariff.windows.all() else "")
            if len(tariffs) > 1:
                label = f"{label} (Tarif v{tariff.version})".strip()
            class_index[key] = len(classes)
            classes.append(PriceClass(label, _price(base.consumer_price_rp_kwh), _price(base.producer_price_rp_kwh)))
        price_class_of_slot[slot] = class_index[key]
    fees: dict[int, list[Fee]] = {}
    for participant in participants:
        last_day = max(min(m.valid_to or days[-1], days[-1]) for m in memberships if m.participant_id == participant.pk)
        tariff = tariff_of_day[days.index(last_day)]
        fees[participant.pk] = [Fee(fee.label, fee.amount_chf) for fee in tariff.fees.all()] if tariff else []
    snapshot = [
        {
            "id": t.pk,
            "version": t.version,
            "from": t.valid_from.isoformat(),
            "to": t.valid_to.isoformat() if t.valid_to else None,
            "consumer_rp_kwh": str(t.consumer_price_rp_kwh),
            "producer_rp_kwh": str(t.producer_price_rp_kwh),
            "windows": [
                {
                    "label": w.label,
                    "weekdays": w.weekdays,
                    "from": w.start_time.isoformat(),
                    "to": w.end_time.isoformat(),
                    "consumer_rp_kwh": str(w.consumer_price_rp_kwh),
                    "producer_rp_kwh": str(w.producer_price_rp_kwh),
                }
                for w in t.windows.all()
            ],
            "fees": [{"label": f.label, "chf": str(f.amount_chf), "basis": f.basis} for f in t.fees.all()],
        }
        for t in tariffs
    ]
    return classes, price_class_of_slot, fees, snapshot


def _allocation(setting, participants, consumes, issues):
    if setting is None or setting.method == "proportional":
        return "proportional", None, None, []
    by_participant = {key.participant_id: key for key in setting.keys.all()}
    consumers = [p for p, flag in zip(participants, consumes, strict=True) if flag]
    missing = [
        p
        for p in consumers
        if p.pk not in by_participant
        or (setting.method == "priority" and by_participant[p.pk].rank is None)
        or (setting.method != "priority" and by_participant[p.pk].weight is None)
    ]
    if missing:
        issues.append(
            Issue(
                "missing_key",
                _("Für %(names)s ist kein Schlüssel erfasst; verteilt wird proportional, bis er ergänzt ist.")
                % {"names": ", ".join(str(p) for p in missing)},
                True,
            )
        )
        return "proportional", None, None, []
    snapshot = [
        {"participant": p.pk, "weight": str(by_participant[p.pk].weight), "rank": by_participant[p.pk].rank}
        for p in consumers
    ]
    if setting.method == "priority":
        return "priority", None, [by_participant[p.pk].rank for p in consumers], snapshot
    keys = [by_participant[p.pk].weight for p in consumers]
    total = sum(keys, Decimal(0))
    if total != 1:
        issues.append(
            Issue(
                "keys_not_one",
                _("Die Schlüssel summieren sich auf %(total)s statt 1; sie werden im Verhältnis zueinander angewendet.")
                % {"total": total.normalize()},
                False,
            )
        )
    if total == 0 or (setting.method == "static_redistributed" and any(k == 0 for k in keys)):
        issues.append(Issue("bad_keys", _("Die Schlüssel müssen positiv sein; verteilt wird proportional."), True))
        return "proportional", None, None, snapshot
    return setting.method, keys, None, snapshot
