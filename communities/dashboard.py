"""What a utility's LEG desk sees first at /utility/: its communities, the last closed month, what is to do,
and the LEG share over the last twelve months.

Reads only, scoped to the user, in a fixed number of queries whatever the number of participants: the run's
stored totals carry the month's kWh, so no participant row is read.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.models import BillingRun, RunStatus
from communities.formation import formation_targets
from communities.models import Community, CommunityStatus
from communities.selectors import communities_visible_to

MISSING_DATA_CODES = ("missing_data", "no_data")
IN_FORMATION = (
    CommunityStatus.DRAFT,
    CommunityStatus.PARTICIPANTS_COMPLETE,
    CommunityStatus.ELIGIBLE,
    CommunityStatus.DOCUMENTS_READY,
    CommunityStatus.OUT_FOR_SIGNATURE,
    CommunityStatus.SIGNED,
    CommunityStatus.REGISTERED,
)
MONTHS_SHOWN = 12


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.month:02d}.{self.year}"

    def minus(self, months: int) -> "Month":
        index = self.year * 12 + self.month - 1 - months
        return Month(index // 12, index % 12 + 1)


@dataclass(frozen=True)
class MonthEnergy:
    month: Month
    consumption_wh: int
    leg_wh: int

    @property
    def leg_share_percent(self) -> Decimal | None:
        return leg_share_percent(self.consumption_wh, self.leg_wh)


@dataclass(frozen=True)
class CommunityRow:
    community: Community
    run: BillingRun | None  # the last closed month's live run
    next_step: str  # the formation state it moves to next, empty when formed

    @property
    def leg_share_percent(self) -> Decimal | None:
        if self.run is None:
            return None
        energy = self.run.totals.get("wh", {})
        return leg_share_percent(energy.get("consumption", 0), energy.get("leg", 0))


@dataclass(frozen=True)
class Todo:
    community: Community
    kind: str  # missing_data, approval, signatures, formation
    text: str
    run: BillingRun | None = None  # the run the to-do is about: its page in the portal is where it is done


@dataclass
class Dashboard:
    month: Month  # the last closed month
    rows: list[CommunityRow] = field(default_factory=list)
    todos: list[Todo] = field(default_factory=list)
    months: list[MonthEnergy] = field(default_factory=list)  # oldest first, the last closed month last


def leg_share_percent(consumption_wh: int, leg_wh: int) -> Decimal | None:
    """The LEG share of consumption in percent, exact; none without consumption."""
    if not consumption_wh:
        return None
    return Decimal(int(leg_wh)) * 100 / Decimal(int(consumption_wh))


def last_closed_month(today: date) -> Month:
    return Month(today.year, today.month).minus(1)


def utility_dashboard(*, user, today: date) -> Dashboard:
    """The dashboard of ``user``'s utility (staff: of every utility) as of the local day ``today``."""
    closed = last_closed_month(today)
    communities = list(communities_visible_to(user).order_by("name"))
    months = [closed.minus(back) for back in range(MONTHS_SHOWN - 1, -1, -1)]
    runs = _live_runs(communities, months)
    waiting = _documents_out_for_signature(communities)
    latest = {(run.community_id, run.year, run.month): run for run in runs}
    drafts = defaultdict(list)  # every draft of the twelve months waits for approval, oldest first
    for run in sorted(runs, key=lambda r: (r.year, r.month)):
        if run.status == RunStatus.DRAFT:
            drafts[run.community_id].append(run)
    dashboard = Dashboard(month=closed, months=_month_energy(runs, months))
    for community in communities:
        run = latest.get((community.pk, closed.year, closed.month))
        next_step = _next_formation_step(community)
        dashboard.rows.append(CommunityRow(community=community, run=run, next_step=next_step))
        todos = _todos(community, closed, run, drafts[community.pk], next_step, waiting.get(community.pk, 0))
        dashboard.todos.extend(todos)
    return dashboard


def _live_runs(communities: list[Community], months: list[Month]) -> list[BillingRun]:
    if not communities:
        return []
    in_months = Q()
    for month in months:
        in_months |= Q(year=month.year, month=month.month)
    return list(
        BillingRun.objects.filter(in_months, community__in=communities)
        .exclude(status=RunStatus.CANCELLED)
        .only("community_id", "year", "month", "status", "issues", "blocking_issues", "deviations", "totals")
    )


def _documents_out_for_signature(communities: list[Community]) -> dict[int, int]:
    if not communities:
        return {}
    waiting = (
        Community.objects.filter(pk__in=[c.pk for c in communities], documents__signature_state="out_for_signature")
        .annotate(waiting=Count("documents"))
        .values_list("pk", "waiting")
    )
    return dict(waiting)


def _month_energy(runs: list[BillingRun], months: list[Month]) -> list[MonthEnergy]:
    consumption, leg = defaultdict(int), defaultdict(int)
    for run in runs:
        energy = run.totals.get("wh", {})
        consumption[(run.year, run.month)] += int(energy.get("consumption", 0))
        leg[(run.year, run.month)] += int(energy.get("leg", 0))
    return [
        MonthEnergy(month=m, consumption_wh=consumption[(m.year, m.month)], leg_wh=leg[(m.year, m.month)])
        for m in months
    ]


def _next_formation_step(community: Community) -> str:
    if community.status not in IN_FORMATION:
        return ""
    forward = formation_targets(community.status)[0]
    return CommunityStatus(forward).label


def _started_by(community: Community, month: Month) -> bool:
    start = community.start_date
    return start is not None and (start.year, start.month) <= (month.year, month.month)


def _todos(
    community: Community,
    month: Month,
    run: BillingRun | None,
    drafts: list[BillingRun],
    next_step: str,
    waiting: int,
) -> list[Todo]:
    todos = []
    values = {"month": month.label}
    if community.status == CommunityStatus.ACTIVE and _started_by(community, month):
        if run is None:
            text = _("Für %(month)s ist noch keine Abrechnung berechnet.") % values
            todos.append(Todo(community, "missing_data", text))
        else:
            missing = sum(issue.get("code") in MISSING_DATA_CODES for issue in run.issues)
            if missing:
                text = ngettext(
                    "Messdaten für %(month)s fehlen: %(count)s Hinweis.",
                    "Messdaten für %(month)s fehlen: %(count)s Hinweise.",
                    missing,
                ) % {**values, "count": missing}
                todos.append(Todo(community, "missing_data", text, run))
    for draft in drafts:
        text = _("Die Abrechnung %(month)s wartet auf Freigabe.") % {"month": Month(draft.year, draft.month).label}
        todos.append(Todo(community, "approval", text, draft))
    if waiting:
        text = ngettext(
            "%(count)s Dokument wartet auf Unterschriften.", "%(count)s Dokumente warten auf Unterschriften.", waiting
        ) % {"count": waiting}
        todos.append(Todo(community, "signatures", text))
    if next_step:
        todos.append(Todo(community, "formation", _("Gründung: nächster Schritt «%(step)s».") % {"step": next_step}))
    return todos
