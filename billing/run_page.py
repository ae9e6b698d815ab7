"""A billing run's page for every door (the staff console and the utility portal): figures, reconciliation with the
VNB, the month chart, the approval preview and what a cancellation would credit.

Reads only, with a fixed number of aggregate queries whatever the number of participants; the doors add their own
links and permissions around these contexts.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from billing.basis import basis_changes
from billing.charts import month_energy_svg
from billing.deviations import DEVIATING_DAY, participant_deviations
from billing.invoicing import SETTLED
from billing.models import (
    MONTHLY_KINDS,
    AllocationMethod,
    BillingRun,
    Invoice,
    InvoiceKind,
    RunDay,
    RunStatus,
    StatementLine,
)
from communities.models import Participant
from openleg.formats import format_chf, format_kwh, format_price, format_quantity
from openleg.periods import local_date

ENERGY_FIGURES = ("consumption", "leg", "grid", "production", "delivered", "surplus")
MONEY_ORDER = ("energy", "credit", "fee", "vat")
INVOICED_KINDS = SETTLED  # what invoices_issue adds up to an invoice's total


def _kwh(wh: int | None) -> str:
    return "–" if wh is None else format_kwh(wh)


def _chf(amount: Decimal | str | None) -> str:
    return "–" if amount is None else format_chf(Decimal(amount))


def energy_labels() -> dict[str, str]:
    return {
        "consumption": _("Verbrauch"),
        "leg": _("LEG-Anteil"),
        "grid": _("Netzbezug"),
        "production": _("Produktion"),
        "delivered": _("an LEG geliefert"),
        "surplus": _("Überschuss"),
    }


def method_label(method: str) -> str:
    try:
        return AllocationMethod(method).label
    except ValueError:
        return method


def community_days(run: BillingRun) -> dict[date, dict[str, int]]:
    """The community's Wh per local day (one aggregate query)."""
    rows = (
        RunDay.objects.filter(run=run)
        .values("day")
        .annotate(production=Sum("production_wh"), consumption=Sum("consumption_wh"), leg=Sum("leg_wh"))
        .order_by("day")
    )
    return {row["day"]: row for row in rows}


def participant_reconciliation(run: BillingRun) -> list[dict]:
    """Per participant: month sums ours and the VNB's, and the days that deviate (two queries in all)."""
    rows = list(
        RunDay.objects.filter(run=run)
        .values("participant")
        .annotate(
            consumption=Sum("consumption_wh"),
            leg=Sum("leg_wh"),
            vnb_leg=Sum("vnb_leg_wh"),
            production=Sum("production_wh"),
            delivered=Sum("delivered_wh"),
            vnb_delivered=Sum("vnb_delivered_wh"),
            deviation_days=Count("pk", filter=DEVIATING_DAY),
        )
        .order_by("participant__customer_number", "participant")
    )
    participants = Participant.objects.in_bulk([row["participant"] for row in rows])
    for row in rows:
        row["participant"] = participants[row["participant"]]
    return rows


def approval_preview(run: BillingRun) -> list[dict]:
    """The invoices approval would issue: one per participant with statement lines, and its total CHF."""
    rows = list(
        StatementLine.objects.filter(run=run)
        .values("participant")
        .annotate(total=Sum("amount_chf", filter=Q(kind__in=INVOICED_KINDS)))
        .order_by("participant__customer_number", "participant")
    )
    participants = Participant.objects.in_bulk([row["participant"] for row in rows])
    return [{"participant": participants[row["participant"]], "total": row["total"] or Decimal(0)} for row in rows]


def pdf_summary(run: BillingRun) -> dict:
    """How many of the run's invoices have their PDF, and the last rendering error (two queries).

    The PDFs are ``billing.InvoicePdf`` rows that the documents app renders; billing reads the error of the last
    rendering through the reverse relation ``pdf_rendering``, so it never imports documents.
    """
    counts = Invoice.objects.filter(run=run).aggregate(total=Count("pk"), done=Count("pk", filter=Q(pdf__isnull=False)))
    error = BillingRun.objects.filter(pk=run.pk).values_list("pdf_rendering__error", flat=True).first() or ""
    complete = counts["done"] == counts["total"]
    return {
        **counts,
        "complete": complete,
        "error": "" if complete else error,
        "refresh": not complete and not error,
    }


def run_period(run: BillingRun) -> dict:
    """The run's first and last local day."""
    return {
        "period_from": local_date(run.period_start),
        "period_to": local_date(run.period_end - timedelta(microseconds=1)),
    }


def _month_chart(run: BillingRun) -> str:
    labels = energy_labels()
    days = community_days(run)
    month_days = [date(run.year, run.month, 1) + timedelta(days=n) for n in range(31)]
    month_days = [day for day in month_days if day.month == run.month]
    chart_labels = {"production": labels["production"], "consumption": labels["consumption"], "leg": labels["leg"]}
    return month_energy_svg(
        month_days,
        {name: [days.get(day, {}).get(name) or 0 for day in month_days] for name in chart_labels},
        chart_labels,
        _("Energie der Gemeinschaft pro Tag %(month)02d/%(year)s") % {"month": run.month, "year": run.year},
    )


def _line_row(line: StatementLine) -> dict:
    return {
        "label": line.label,
        "kind": line.get_kind_display(),
        "quantity": "" if line.quantity is None else format_quantity(line.quantity, line.unit),
        "unit_price": "" if line.unit_price is None else format_price(line.unit_price),
        "amount": "" if line.amount_chf is None else _chf(line.amount_chf),
        "charged": line.kind in INVOICED_KINDS,
    }


def _statement_lines(run: BillingRun) -> dict[int, list[dict]]:
    """Per participant its lines as shown."""
    lines = defaultdict(list)
    for line in StatementLine.objects.filter(run=run).order_by("participant", "position"):
        lines[line.participant_id].append(_line_row(line))
    return lines


def participant_lines(run: BillingRun, participant: Participant) -> list[dict]:
    """One participant's lines of the run as shown (its page in the portal)."""
    return [
        _line_row(line)
        for line in StatementLine.objects.filter(run=run, participant=participant).order_by("position")
    ]


def run_participant_context(run: BillingRun, participant: Participant) -> dict:
    """A participant's page in a run: its lines, what its invoice charges, and the days that deviate from the
    VNB's split (ours, the VNB's, the difference), in four queries."""
    lines = participant_lines(run, participant)
    days = [
        {
            "day": row.day,
            "leg": _kwh(row.leg_wh),
            "vnb_leg": _kwh(row.vnb_leg_wh),
            "leg_difference": _kwh(row.leg_difference_wh),
            "delivered": _kwh(row.delivered_wh),
            "vnb_delivered": _kwh(row.vnb_delivered_wh),
            "delivered_difference": _kwh(row.delivered_difference_wh),
            "points": ", ".join(point.mp_id for point in row.metering_points),
        }
        for row in participant_deviations(run=run, participant=participant)
    ]
    total = _charged_totals(run, participant=participant).get(participant.pk)
    return {"lines": lines, "total": "–" if total is None else _chf(total), "deviation_days": days}


def _charged_totals(run: BillingRun, participant: Participant | None = None) -> dict[int, Decimal]:
    """Per participant with lines: the total of the lines its invoice charges (one aggregate query)."""
    lines = StatementLine.objects.filter(run=run)
    if participant is not None:
        lines = lines.filter(participant=participant)
    rows = (
        lines
        .values("participant")
        .annotate(total=Sum("amount_chf", filter=Q(kind__in=INVOICED_KINDS)))
        .order_by()
    )
    return {row["participant"]: row["total"] or Decimal(0) for row in rows}


def _reconciliation(run: BillingRun, *, with_lines: bool) -> list[dict]:
    totals = _charged_totals(run)
    lines = _statement_lines(run) if with_lines else {}
    return [
        {
            "participant": row["participant"],
            "consumption": _kwh(row["consumption"]),
            "leg": _kwh(row["leg"]),
            "vnb_leg": _kwh(row["vnb_leg"]),
            "deviation_days": row["deviation_days"],
            "production": _kwh(row["production"]),
            "delivered": _kwh(row["delivered"]),
            "vnb_delivered": _kwh(row["vnb_delivered"]),
            "lines": lines.get(row["participant"].pk, []),
            "total": _chf(totals[row["participant"].pk]) if row["participant"].pk in totals else "–",
        }
        for row in participant_reconciliation(run)
    ]


ISSUES_SHOWN_OPEN = 3  # a kind of hint with more messages than this is folded under its count


def issue_groups(issues: list[dict]) -> list[dict]:
    """The run's issues for people: every blocking one on its own, first; the hints grouped by kind, a kind with
    many messages (a night of PV on every day of a month) folded under its count. Order within a kind is kept."""
    titles = {"plausibility": _("Plausibilitätshinweise zu den Messdaten")}
    blocking = [issue for issue in issues if issue.get("blocking")]
    groups = [{"blocking": True, "title": "", "messages": [issue["message"]]} for issue in blocking]
    hints: dict[str, list[str]] = {}
    for issue in issues:
        if not issue.get("blocking"):
            hints.setdefault(issue.get("code", ""), []).append(issue["message"])
    for code, messages in hints.items():
        title = titles.get(code, _("Hinweise"))
        folded = len(messages) > ISSUES_SHOWN_OPEN
        groups.append({"blocking": False, "title": title, "messages": messages, "folded": folded})
    return groups


def run_page_context(run: BillingRun, *, with_lines: bool = True) -> dict:
    """Everything a run's page shows: totals, issues (blocking first), chart, reconciliation, invoices, PDFs.
    Without lines, each participant's statement lines are left to a page of its own (the portal's, for large
    communities: 500 participants' lines made the page a megabyte)."""
    labels = energy_labels()
    wh = run.totals.get("wh", {})
    chf = run.totals.get("chf", {})
    chf_labels = dict(StatementLine.Kind.choices)
    return {
        "run": run,
        **run_period(run),
        "data_changes": basis_changes(run) if run.status in (RunStatus.DRAFT, RunStatus.ISSUED) else [],
        "method": method_label(run.method),
        "provisional": bool(run.snapshot.get("provisional")),
        "energy_totals": [(labels[name], _kwh(wh.get(name, 0))) for name in ENERGY_FIGURES],
        # jsonb keeps its own key order: show the kinds in the order of an invoice
        "money_totals": [
            (chf_labels.get(kind, kind), _chf(chf[kind]))
            for kind in sorted(chf, key=lambda kind: (MONEY_ORDER.index(kind) if kind in MONEY_ORDER else 99, kind))
        ],
        "money_balance": _chf(sum((Decimal(amount) for amount in chf.values()), Decimal(0))),
        "issues": sorted(run.issues, key=lambda issue: not issue.get("blocking")),
        "issue_groups": issue_groups(run.issues),
        "chart_svg": mark_safe(_month_chart(run)),  # built by billing.charts, which escapes every text
        "reconciliation": _reconciliation(run, with_lines=with_lines),
        "invoices": Invoice.objects.filter(run=run).select_related("participant", "pdf").order_by("number"),
        "pdfs": pdf_summary(run),
        "can_approve": run.status == RunStatus.DRAFT,
        "can_recompute": run.status == RunStatus.DRAFT,
        "can_cancel": run.status != RunStatus.CANCELLED,
    }


def approval_context(run: BillingRun) -> dict:
    """The confirmation page of an approval: the invoices it would issue, their total, what blocks or changed."""
    preview = approval_preview(run)
    return {
        "preview": [{"participant": row["participant"], "total": _chf(row["total"])} for row in preview],
        "invoice_count": len(preview),
        "invoice_total": _chf(sum((row["total"] for row in preview), Decimal(0))),
        "blocking": [issue for issue in run.issues if issue.get("blocking")],
        "data_changes": basis_changes(run),
    }


def cancel_context(run: BillingRun) -> dict:
    """The confirmation page of a cancellation: the invoices billing_run_cancel will reverse (an issued run's
    invoices not yet credited) and their total."""
    to_credit = []
    if run.status == RunStatus.ISSUED:
        to_credit = list(
            Invoice.objects.filter(run=run, kind__in=MONTHLY_KINDS, credited_by__isnull=True)
            .select_related("participant")
            .order_by("number")
        )
    return {"to_credit": to_credit, "credit_total": _chf(sum((invoice.total_chf for invoice in to_credit), Decimal(0)))}


def community_runs(community) -> list[dict]:
    """The community's runs, newest month first (a cancelled run after the month's live one), with the figures a
    list shows: kWh consumed and shared, the balance in CHF (one query)."""
    runs = (
        BillingRun.objects.filter(community=community).select_related("approved_by").order_by("-year", "-month", "-pk")
    )
    rows = []
    for run in runs:
        wh = run.totals.get("wh", {})
        chf = run.totals.get("chf", {})
        rows.append(
            {
                "run": run,
                "month": date(run.year, run.month, 1),
                "consumption": _kwh(wh.get("consumption")),
                "leg": _kwh(wh.get("leg")),
                "balance": _chf(sum((Decimal(amount) for amount in chf.values()), Decimal(0))) if chf else "–",
            }
        )
    return rows


def approved_message(run: BillingRun) -> str:
    issued = Invoice.objects.filter(run=run, kind__in=MONTHLY_KINDS).count()
    return _("Der Lauf %(run)s ist freigegeben; %(count)s Rechnungen und Gutschriften wurden ausgestellt.") % {
        "run": run,
        "count": issued,
    }


def cancelled_message(run: BillingRun) -> str:
    notes = Invoice.objects.filter(run=run, kind=InvoiceKind.CREDIT_NOTE).count()
    return _("Der Lauf %(run)s ist storniert; %(count)s Stornobelege wurden ausgestellt.") % {
        "run": run,
        "count": notes,
    }


def computed_message(run: BillingRun) -> str:
    return _(
        "Der Lauf %(run)s wurde neu berechnet: %(blocking)s blockierende Probleme, %(deviations)s Abweichungen."
    ) % {"run": run, "blocking": run.blocking_issues, "deviations": run.deviations}
