"""Reads of billing runs shared by the command, the admin and (later) the API."""

from decimal import Decimal

from django.db.models import Sum

from billing.models import BillingRun, RunDay, RunStatus, StatementLine
from openleg.energy import wh_to_kwh
from openleg.money import round_chf

FIGURES = ("consumption", "leg", "grid", "production", "delivered", "surplus")


def run_summary(run: BillingRun) -> dict:
    """The run as plain data: period, status, issues, and per participant kWh figures and CHF amounts."""
    energy = (
        RunDay.objects.filter(run=run)
        .values("participant", "participant__customer_number")
        .annotate(**{figure: Sum(f"{figure}_wh") for figure in FIGURES})
        .order_by("participant__customer_number")
    )
    amounts: dict[int, dict[str, Decimal]] = {}
    for line in (
        StatementLine.objects.filter(run=run)
        .exclude(kind="info")
        .values("participant", "kind")
        .annotate(total=Sum("amount_chf"))
    ):
        amounts.setdefault(line["participant"], {})[line["kind"]] = line["total"]
    participants = []
    for row in energy:
        money = amounts.get(row["participant"], {})
        total = sum(money.values(), Decimal(0))
        participants.append(
            {
                "participant": row["participant"],
                "customer_number": row["participant__customer_number"],
                "kwh": {figure: str(wh_to_kwh(row[figure])) for figure in FIGURES},
                "chf": {
                    **{kind: str(round_chf(amount)) for kind, amount in sorted(money.items())},
                    "total": str(round_chf(total)),
                },
            }
        )
    return {
        "run": run.pk,
        "community": run.community_id,
        "status": run.status,
        "method": run.method,
        "period": {
            "year": run.year,
            "month": run.month,
            "start": run.period_start.isoformat().replace("+00:00", "Z"),
            "end": run.period_end.isoformat().replace("+00:00", "Z"),
            "quarter_hours": run.quarter_hours,
        },
        "deviations": run.deviations,
        "blocking_issues": run.blocking_issues,
        "issues": run.issues,
        "participants": participants,
    }


def live_run(*, community, year: int, month: int) -> BillingRun | None:
    """The month's run that counts (draft, approved or issued), or None: a cancelled run is history."""
    return (
        BillingRun.objects.filter(community=community, year=year, month=month)
        .exclude(status=RunStatus.CANCELLED)
        .first()
    )


def live_runs_of_month(*, communities, year: int, month: int) -> dict[int, BillingRun]:
    """The month's live run of each of ``communities``, by community id (one query)."""
    runs = BillingRun.objects.filter(community__in=communities, year=year, month=month).exclude(
        status=RunStatus.CANCELLED
    )
    return {run.community_id: run for run in runs}
