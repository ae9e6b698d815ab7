"""What a billing run was computed from, and what has changed in it since: the guard before approval.

A run records two things when it is computed. The meter data by the imports that supplied it: an import is one
transaction and every stored day row it changes names it (``last_import``), so any row of the month that names
an import the run did not see has changed since. Everything else that goes into the figures (memberships, the
participants' roles, tariffs, the allocation setting and keys, the community's VAT and reduction, the grid tariff,
the open credits carried over) as one fingerprint per part, recomputed from the database when asked.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from billing.models import AllocationSetting, BillingRun
from billing.receivables import carry_overs
from communities.models import Community, Door, Membership, Tariff
from metering.models import AggregateDaySeries, DaySeries, MeterImport
from openleg.formats import format_moment
from openleg.periods import local_month


@dataclass(frozen=True)
class BasisChange:
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


def _month_days(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _memberships(community: Community, first: date, last: date) -> list[Membership]:
    return list(
        Membership.objects.filter(participant__community=community, valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .select_related("participant", "metering_point")
        .order_by("pk")
    )


def _parts(community: Community, year: int, month: int, memberships: list[Membership]) -> dict[str, object]:
    """The inputs of the figures besides meter data, as plain values (compared through their hash)."""
    first, last = _month_days(year, month)
    tariffs = (
        Tariff.objects.filter(community=community, valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .prefetch_related("windows", "fees")
        .order_by("valid_from")
    )
    setting = (
        AllocationSetting.objects.filter(community=community, effective_from__lte=first)
        .order_by("-effective_from")
        .prefetch_related("keys")
        .first()
    )
    participant_ids = sorted({m.participant_id for m in memberships})
    carried = carry_overs(community=community, participant_ids=participant_ids)
    community = Community.objects.select_related("utility").get(pk=community.pk)
    return {
        "membership": [
            [m.participant_id, m.metering_point_id, str(m.valid_from), str(m.valid_to)] for m in memberships
        ],
        "roles": sorted({(m.participant_id, m.participant.role) for m in memberships}),
        "tariffs": [
            [
                t.pk,
                t.version,
                str(t.valid_from),
                str(t.valid_to),
                str(t.consumer_price_rp_kwh),
                str(t.producer_price_rp_kwh),
                sorted(
                    [
                        w.label,
                        w.weekdays,
                        str(w.start_time),
                        str(w.end_time),
                        str(w.consumer_price_rp_kwh),
                        str(w.producer_price_rp_kwh),
                    ]
                    for w in t.windows.all()
                ),
                sorted([f.label, str(f.amount_chf), f.basis] for f in t.fees.all()),
            ]
            for t in tariffs
        ],
        "allocation": None
        if setting is None
        else [
            setting.pk,
            setting.method,
            str(setting.effective_from),
            sorted([k.participant_id, str(k.weight), k.rank] for k in setting.keys.all()),
        ],
        "community": [
            community.vat_number,
            community.reduction_percent,
            str(community.utility.grid_usage_rp_kwh),
            community.credit_handling,
        ],
        "carry_over": sorted(
            [carry.invoice.pk, str(carry.amount)] for carries in carried.values() for carry in carries
        ),
    }


def _hash(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _rows(community: Community, year: int, month: int, point_ids):
    days = local_month(year, month).utc_days()
    series = DaySeries.objects.filter(metering_point_id__in=list(point_ids), day__gte=days[0], day__lte=days[-1])
    aggregates = AggregateDaySeries.objects.filter(community=community, day__gte=days[0], day__lte=days[-1])
    return series, aggregates


def run_basis(community: Community, year: int, month: int) -> dict:
    """The basis to store on a run computed now (read before the figures, in the same transaction)."""
    first, last = _month_days(year, month)
    memberships = _memberships(community, first, last)
    series, aggregates = _rows(community, year, month, {m.metering_point_id for m in memberships})
    imports = set(series.values_list("last_import_id", flat=True).distinct())
    imports |= set(aggregates.values_list("last_import_id", flat=True).distinct())
    parts = _parts(community, year, month, memberships)
    return {
        "imports": sorted(imports),
        "content": _content(series, aggregates),
        "parts": {name: _hash(value) for name, value in parts.items()},
    }


def _content(series, aggregates) -> str:
    """A digest of the values and qualities of the month's rows: a newer document that delivers the same values
    becomes their source and rewrites the rows (``last_import``), but changes nothing a run computes from."""
    digest = hashlib.sha256()
    for rows, key in ((series, "metering_point_id"), (aggregates, "community_ref")):
        for row in rows.order_by(key, "direction", "channel", "day").values_list(
            key, "direction", "channel", "day", "values", "quality"
        ):
            digest.update(repr(row[:4]).encode())
            digest.update(bytes(row[4]))
            digest.update(bytes(row[5]))
    return digest.hexdigest()


def _part_messages() -> dict[str, str]:
    return {
        "membership": _("Die Zuordnung der Messpunkte zu den Teilnehmenden hat sich geändert."),
        "roles": _("Die Rolle einer teilnehmenden Person (Verbraucher, Produzent …) hat sich geändert."),
        "tariffs": _("Ein Tarif des Monats (Preise, Zeitfenster oder Gebühren) hat sich geändert."),
        "allocation": _("Das Verteilverfahren oder die Verteilschlüssel haben sich geändert."),
        "community": _(
            "Angaben der Gemeinschaft (MWST-Nummer, Reduktion, Umgang mit Guthaben) oder der Netznutzungstarif "
            "des Netzbetreibers haben sich geändert."
        ),
        "carry_over": _("Offene Guthaben, die auf die Rechnungen übertragen werden, haben sich geändert."),
    }


def _import_label(meter_import: MeterImport) -> str:
    when = format_moment(meter_import.created_at)
    who = f", {meter_import.actor}" if meter_import.actor_id else ""
    return _("Import #%(id)s «%(file)s» vom %(when)s (%(door)s%(who)s)") % {
        "id": meter_import.pk,
        "file": meter_import.filename,
        "when": when,
        "door": Door(meter_import.door).label if meter_import.door in Door.values else meter_import.door,
        "who": who,
    }


def basis_changes(run: BillingRun) -> list[BasisChange]:
    """What changed in the run's data since it was computed; empty when it is current (or has no basis)."""
    stored = run.basis or {}
    if "imports" not in stored:
        return []
    first, last = _month_days(run.year, run.month)
    memberships = _memberships(run.community, first, last)
    changes = []
    parts = _parts(run.community, run.year, run.month, memberships)
    messages = _part_messages()
    for name, value in parts.items():
        if stored.get("parts", {}).get(name) != _hash(value):
            changes.append(BasisChange(name, messages[name]))
    series, aggregates = _rows(run.community, run.year, run.month, {m.metering_point_id for m in memberships})
    seen = stored["imports"]
    touched: dict[int, set[str]] = {}
    for import_id, mp_id in (
        series.exclude(last_import_id__in=seen).values_list("last_import_id", "metering_point__mp_id").distinct()
    ):
        touched.setdefault(import_id, set()).add(mp_id)
    for import_id in aggregates.exclude(last_import_id__in=seen).values_list("last_import_id", flat=True).distinct():
        touched.setdefault(import_id, set()).add(_("Summen der Gemeinschaft (E31)"))
    if touched and stored.get("content") == _content(series, aggregates):
        touched = {}  # only the slots' sources changed: the same values, delivered again by a newer document
    for meter_import in MeterImport.objects.filter(pk__in=touched).select_related("actor").order_by("pk"):
        points = sorted(touched[meter_import.pk])
        changes.append(
            BasisChange(
                "meter_data",
                _("Messdaten: %(import)s hat Werte geändert von %(points)s.")
                % {"import": _import_label(meter_import), "points": ", ".join(points)},
            )
        )
    return changes
