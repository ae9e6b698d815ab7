"""The billing tools: compute a month's draft run in the background, read a run's figures, and check the last
closed month of every community. None of them approves, cancels or issues anything."""

from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from api.agent.jobs import job_start, job_work
from api.agent.registry import Tool, ToolAnswer, register
from api.agent.tools.common import MonthField, month_text
from api.agent.tools.examples import example_of
from api.errors import ApiError
from api.scopes import Scope
from billing.billable import billing_check, month_days, month_not_closed
from billing.run_start import Action, run_start_plan
from billing.selectors import live_run, live_runs_of_month, run_summary
from billing.services import billing_run_start
from communities.models import CommunityStatus
from openleg.errors import DomainError
from openleg.periods import local_today

SUMMARY_URL = "/api/agent/v1/get_billing_summary/?community={community}&month={month}"
MISSING_DATA_CODES = ("missing_data", "no_data")

# -- run_billing_period -----------------------------------------------------------------------------------------


def _meant_month(start: date, end: date) -> tuple[int, int]:
    """The calendar month the period overlaps most (the earlier one on a tie)."""
    best, best_days, first = None, -1, date(start.year, start.month, 1)
    while first <= max(start, end):
        month_first, month_last = month_days(first.year, first.month)
        days = (min(end, month_last) - max(start, month_first)).days + 1
        if days > best_days:
            best, best_days = (first.year, first.month), days
        first = month_last + timedelta(days=1)
    return best


class RunArguments(serializers.Serializer):
    community = serializers.IntegerField(min_value=1)
    month = MonthField(required=False)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)

    default_error_messages = {
        "either": gettext_lazy("Entweder month oder period_start und period_end angeben."),
        "both": gettext_lazy("Entweder month oder period_start und period_end angeben, nicht beides."),
        "pair": gettext_lazy("period_start und period_end gehören zusammen."),
        "order": gettext_lazy("period_end liegt vor period_start."),
    }

    def validate(self, attrs):
        has_period = "period_start" in attrs or "period_end" in attrs
        if "month" in attrs:
            if has_period:
                raise serializers.ValidationError({"month": self.error_messages["both"]})
            return attrs
        if not has_period:
            raise serializers.ValidationError({"month": self.error_messages["either"]})
        missing = "period_end" if "period_start" in attrs else "period_start"
        if missing not in attrs:
            raise serializers.ValidationError({missing: self.error_messages["pair"]})
        start, end = attrs["period_start"], attrs["period_end"]
        if end < start:
            raise serializers.ValidationError({"period_end": self.error_messages["order"]})
        year, month = _meant_month(start, end)
        first, last = month_days(year, month)
        if (start, end) != (first, last):
            field = "period_end" if start == first else "period_start"
            raise serializers.ValidationError({field: _whole_month_message(start, end, year, month)})
        return {**attrs, "month": (year, month)}


def _whole_month_message(start: date, end: date, year: int, month: int) -> str:
    first, last = month_days(year, month)
    return _(
        "Abgerechnet wird ein ganzer Kalendermonat (Europe/Zurich); %(start)s bis %(end)s ist keiner. Gemeint ist "
        "wohl %(month)02d/%(year)s: period_start %(first)s und period_end %(last)s, oder month %(text)s."
    ) % {
        "start": date_format(start, "d.m.Y"),
        "end": date_format(end, "d.m.Y"),
        "month": month,
        "year": year,
        "first": first.isoformat(),
        "last": last.isoformat(),
        "text": month_text(year, month),
    }


def run_billing_period(caller, arguments: dict) -> ToolAnswer:
    community = caller.community(arguments["community"])
    year, month = arguments["month"]
    billing_check(community=community, year=year, month=month)  # refused now, with its code, not in the job
    planned = run_start_plan(communities=[community], year=year, month=month)[0]
    if planned.action == Action.FROZEN:
        raise DomainError(planned.message, code="run_frozen")
    job_arguments = {"community": community.pk, "year": year, "month": month}
    return job_start(caller, "run_billing_period", job_arguments, touched=[f"community:{community.pk}"])


@job_work("run_billing_period")
def run_billing_period_work(caller, arguments: dict) -> dict:
    community = caller.community(arguments["community"])
    year, month = arguments["year"], arguments["month"]
    run = billing_run_start(community=community, year=year, month=month, actor=None)
    return {
        "run": run.pk,
        "community": community.pk,
        "month": month_text(year, month),
        "status": run.status,
        "quarter_hours": run.quarter_hours,
        "deviations": run.deviations,
        "blocking_issues": run.blocking_issues,
        "issues": len(run.issues),
        "summary_url": SUMMARY_URL.format(community=community.pk, month=month_text(year, month)),
    }


register(
    Tool(
        name="run_billing_period",
        description=(
            "Compute (or recompute) the draft billing run of one community for one Europe/Zurich calendar month, in "
            "the background. Give 'month' as YYYY-MM, or 'period_start' and 'period_end' as the first and the last "
            "day of that month (a period that is not exactly one calendar month is refused with the month that was "
            "probably meant). Refused at once (409) when the month is not over yet, the community had not started "
            "or had no members, or the month's run is already approved or issued. Answers 202 with a job; its "
            "result names the run, its status, deviations, blocking issues and the get_billing_summary URL. The "
            "run stays a draft: approving it is a person's decision in the back office; no tool approves."
        ),
        scope=Scope.BILLING_RUN,
        arguments=RunArguments,
        run=run_billing_period,
        writes=True,
        **example_of("run_billing_period"),
    )
)


# -- get_billing_summary ----------------------------------------------------------------------------------------


class SummaryArguments(serializers.Serializer):
    community = serializers.IntegerField(min_value=1)
    month = MonthField()


def get_billing_summary(caller, arguments: dict) -> ToolAnswer:
    community = caller.community(arguments["community"])
    year, month = arguments["month"]
    not_closed = month_not_closed(year, month)
    if not_closed:
        raise not_closed
    run = live_run(community=community, year=year, month=month)
    if run is None:
        raise ApiError(
            "run_missing",
            _(
                "Für %(month)02d/%(year)s gibt es keinen Abrechnungslauf von «%(community)s»; run_billing_period "
                "berechnet ihn."
            )
            % {"month": month, "year": year, "community": community.name},
            status=404,
            details={"community": community.pk, "month": month_text(year, month)},
        )
    return ToolAnswer(data=run_summary(run), touched=[f"community:{community.pk}", f"run:{run.pk}"])


register(
    Tool(
        name="get_billing_summary",
        description=(
            "Read a community's billing run of one month (YYYY-MM): status (draft, approved, issued), period with "
            "its quarter-hours, deviations from the grid operator's figures, blocking issues, every issue with its "
            "German message, and per participant the kWh figures (consumption, leg, grid, production, delivered, "
            "surplus) and the CHF amounts as decimal strings. The same figures as 'run_billing --json'. A month not "
            "over yet answers 409 month_not_closed; a month without a run answers 404 run_missing."
        ),
        scope=Scope.BILLING_READ,
        arguments=SummaryArguments,
        run=get_billing_summary,
        **example_of("get_billing_summary"),
    )
)


# -- get_billing_reconciliation ---------------------------------------------------------------------------------


class ReconciliationArguments(serializers.Serializer):
    pass


def last_closed_month(today: date) -> tuple[int, int]:
    previous = date(today.year, today.month, 1) - timedelta(days=1)
    return previous.year, previous.month


def _reconciliation_row(community, run) -> dict:
    row = {"community": community.pk, "name": community.name, "run": None, "status": "missing"}
    if run is None:
        return {
            **row,
            "deviations": None,
            "blocking_issues": None,
            "blocking": [],
            "missing_data": [],
            "needs_attention": True,
        }
    blocking = [issue["message"] for issue in run.issues if issue.get("blocking")]
    missing = [issue["message"] for issue in run.issues if issue.get("code") in MISSING_DATA_CODES]
    return {
        **row,
        "run": run.pk,
        "status": run.status,
        "deviations": run.deviations,
        "blocking_issues": run.blocking_issues,
        "blocking": blocking,
        "missing_data": missing,
        "needs_attention": bool(run.deviations or run.blocking_issues or missing),
    }


def get_billing_reconciliation(caller, arguments: dict) -> ToolAnswer:
    year, month = last_closed_month(local_today())
    communities = list(caller.communities().filter(status=CommunityStatus.ACTIVE).order_by("name", "pk"))
    runs = live_runs_of_month(communities=communities, year=year, month=month)
    rows = [_reconciliation_row(community, runs.get(community.pk)) for community in communities]
    return ToolAnswer(
        data={"month": month_text(year, month), "communities": rows},
        touched=[f"community:{community.pk}" for community in communities],
    )


register(
    Tool(
        name="get_billing_reconciliation",
        description=(
            "The monthly reconciliation check: for every active community the caller may see, the last closed "
            "Europe/Zurich month's run (or status 'missing' when none was computed), its status, the number of "
            "deviations from the grid operator and of blocking issues, the blocking issues' messages and the "
            "missing-data messages; 'needs_attention' is true when any of these asks for a person. Use it once a "
            "month after the billing day, then get_billing_summary for the details, run_billing_period for a missing "
            "run; never approve."
        ),
        scope=Scope.BILLING_READ,
        arguments=ReconciliationArguments,
        run=get_billing_reconciliation,
        **example_of("get_billing_reconciliation"),
    )
)
