"""The funnel dashboard at ``/admin/pipeline/``: the pipeline's home in the admin (staff only).

Its figures come from ``pipeline.dashboard.dashboard_figures`` and ``subscriptions.revenue.subscription_figures``
in a fixed number of queries; this view only arranges them and draws the funnel. It lives at the project level
because it composes two apps: ``subscriptions`` builds on ``pipeline``, never the other way round.
"""

from datetime import date
from decimal import Decimal

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openleg.formats import format_chf, swiss_number
from openleg.periods import local_today
from pipeline import dashboard
from pipeline.charts import funnel_svg, percent_label
from pipeline.forms import DashboardFilterForm
from pipeline.models import Stage, Utility
from subscriptions.revenue import subscription_figures


def _days(days: int) -> str:
    return ngettext("%(days)s Tag", "%(days)s Tage", days) % {"days": days}


def _median_days(days: float | None) -> str:
    return "–" if days is None else _("%(days)s Tage") % {"days": swiss_number(Decimal(str(days)), 1)}


def dashboard_view(request):
    if not request.user.has_perm("pipeline.view_utility"):
        raise PermissionDenied
    filters = DashboardFilterForm(request.GET)
    canton = filters.canton_or_none()
    figures = dashboard.dashboard_figures(canton=canton, today=local_today())
    revenue = subscription_figures(canton=canton)
    stages = {row["stage"]: row for row in figures["stages"]}
    funnel = [stages[stage.value] for stage in dashboard.FUNNEL]
    place = dict(filters.fields["canton"].choices)[canton] if canton else _("alle Kantone")
    chart = funnel_svg(
        [(row["label"], row["count"], row["reached"]) for row in funnel],
        [row["percent"] for row in figures["conversion"]],
        _("Pipeline-Trichter: %(place)s") % {"place": place},
    )
    rows = [
        {
            "label": row["label"],
            "count": row["count"],
            "reached": row["reached"],
            "conversion": percent_label(conversion["percent"]) if conversion else "",
            "median": _median_days(median["days"]),
            "stays": median["stays"],
        }
        for row, conversion, median in zip(funnel, [*figures["conversion"], None], figures["median_days"], strict=True)
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("Vertriebspipeline"),
        "opts": Utility._meta,
        "filters": filters,
        "figures": figures,
        "subscription_rows": [
            {**row, "mrr": format_chf(Decimal(row["mrr_chf"]))} for row in revenue["plans"]
        ],
        "subscription_total": sum(row["subscriptions"] for row in revenue["plans"]),
        "mrr": format_chf(Decimal(revenue["mrr_chf"])),
        "chart_svg": mark_safe(chart),  # built by pipeline.charts, which escapes every text
        "rows": rows,
        "exits": [stages[Stage.CHURNED], stages[Stage.LOST]],
        "overdue": [
            {
                **row,
                "stage_label": Stage(row["stage"]).label,
                "due": date.fromisoformat(row["due"]),
                "late": _days(row["days_overdue"]),
            }
            for row in figures["overdue"]
        ],
    }
    return TemplateResponse(request, "admin/pipeline/dashboard.html", context)


# openleg/urls.py mounts these before admin.site.urls, so that the dashboard replaces the pipeline's app index.
urlpatterns = [path("", admin.site.admin_view(dashboard_view), name="pipeline_dashboard")]
