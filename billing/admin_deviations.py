"""Console page of one participant's deviations from the VNB's split in a run: every day above the tolerance,
ours, the VNB's and the difference in kWh, a small chart, and per day one click to the meter data behind it.

Four queries whatever the size of the community (run, participant, memberships, days).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from billing.charts import deviation_days_svg
from billing.deviations import DeviationDay, participant_deviations
from billing.models import BillingRun
from billing.services import DEVIATION_TOLERANCE_WH
from communities.models import Participant
from openleg.formats import format_kwh


def _kwh(wh: int | None) -> str:
    return "–" if wh is None else format_kwh(wh)


def _signed_kwh(wh: int | None) -> str:
    if wh is None:
        return "–"
    return ("+" if wh > 0 else "") + format_kwh(wh)


def _meter_links(row: DeviationDay) -> list[dict]:
    return [
        {
            "mp_id": point.mp_id,
            "url": reverse("admin:metering_meteringpointdata_change", args=[point.pk]) + f"?day={row.day.isoformat()}",
        }
        for point in row.metering_points
    ]


def _chart(rows: list[DeviationDay], participant: Participant) -> str:
    labels = {
        "leg": _("LEG-Anteil berechnet"),
        "vnb_leg": _("LEG-Anteil VNB"),
        "delivered": _("geliefert berechnet"),
        "vnb_delivered": _("geliefert VNB"),
    }
    series = {}
    if any(row.vnb_leg_wh is not None for row in rows):
        series["leg"] = [row.leg_wh for row in rows]
        series["vnb_leg"] = [row.vnb_leg_wh for row in rows]
    if any(row.vnb_delivered_wh is not None for row in rows):
        series["delivered"] = [row.delivered_wh for row in rows]
        series["vnb_delivered"] = [row.vnb_delivered_wh for row in rows]
    notes = [
        " / ".join(
            _signed_kwh(difference)
            for difference, deviates in (
                (row.leg_difference_wh, row.leg_deviates),
                (row.delivered_difference_wh, row.delivered_deviates),
            )
            if deviates
        )
        for row in rows
    ]
    title = _("Abweichungen von %(participant)s: berechnet und laut VNB") % {"participant": participant}
    return deviation_days_svg([row.day for row in rows], series, labels, notes, title)


class DeviationViews:
    def __init__(self, model_admin):
        self.model_admin = model_admin

    def urls(self) -> list:
        view = self.model_admin.admin_site.admin_view
        return [
            path(
                "<int:object_id>/deviations/<int:participant_id>/",
                view(self.deviations_view),
                name="billing_billingrun_deviations",
            ),
        ]

    def deviations_view(self, request, object_id: int, participant_id: int):
        run = get_object_or_404(BillingRun.objects.select_related("community"), pk=object_id)
        if not self.model_admin.has_view_permission(request, run):
            raise PermissionDenied
        participant = get_object_or_404(Participant, pk=participant_id, community=run.community_id)
        rows = participant_deviations(run=run, participant=participant)
        context = {
            **self.model_admin.admin_site.each_context(request),
            "opts": self.model_admin.model._meta,
            "run": run,
            "participant": participant,
            "title": _("Abweichungen zum VNB: %(participant)s, %(run)s") % {"participant": participant, "run": run},
            "tolerance_wh": DEVIATION_TOLERANCE_WH,
            "rows": [
                {
                    "day": row.day,
                    "leg": _kwh(row.leg_wh),
                    "vnb_leg": _kwh(row.vnb_leg_wh),
                    "leg_difference": _signed_kwh(row.leg_difference_wh),
                    "leg_deviates": row.leg_deviates,
                    "delivered": _kwh(row.delivered_wh),
                    "vnb_delivered": _kwh(row.vnb_delivered_wh),
                    "delivered_difference": _signed_kwh(row.delivered_difference_wh),
                    "delivered_deviates": row.delivered_deviates,
                    "meter_links": _meter_links(row),
                }
                for row in rows
            ],
            # built by billing.charts, which escapes every text
            "chart_svg": mark_safe(_chart(rows, participant)) if rows else "",
        }
        return TemplateResponse(request, "admin/billing/billingrun/deviations.html", context)
