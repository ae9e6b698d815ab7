"""Console pages to start and restart billing runs: choose, confirm, follow the progress.

Nothing starts before the confirmation page is sent: it lists per community what will happen (``run_start_plan``).
Confirming calls ``run_batch_start``; the progress page reads the batch with a fixed number of queries and
refreshes itself while anything is still waiting. The pages hang under the billing run admin
(``BillingRunAdmin.get_urls``) and need the change permission of billing runs, like approval; following a batch
needs only the view permission.
"""

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from billing.billable import month_not_closed
from billing.models import RunBatch, RunBatchItem
from billing.run_start import communities_to_start, run_batch_progress, run_batch_start, run_start_plan
from billing.tasks import previous_month
from communities.models import Community
from openleg.errors import DomainError

REFRESH_SECONDS = 3


class RunStartForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Monat"),
        help_text=gettext_lazy("JJJJ-MM, z. B. 2026-03"),
        widget=forms.TextInput(attrs={"type": "month", "size": 8}),
    )
    community = forms.ModelChoiceField(
        label=gettext_lazy("Gemeinschaft"),
        queryset=Community.objects.order_by("name", "pk"),
        required=False,
        empty_label=gettext_lazy("alle aktiven Gemeinschaften"),
    )

    def clean_period(self) -> tuple[int, int]:
        text = self.cleaned_data["period"].strip()
        match = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(
                _("«%(value)s» ist kein Monat: bitte als JJJJ-MM angeben, z. B. 2026-03.") % {"value": text}
            )
        year, month = int(match[1]), int(match[2])
        closed = month_not_closed(year, month)
        if closed:
            raise forms.ValidationError(closed.message)
        return year, month


def _period_text(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


class RunStartViews:
    """The start pages of one ``BillingRunAdmin``; its permission rule (``may_act``) decides who may start."""

    def __init__(self, model_admin):
        self.model_admin = model_admin

    def urls(self) -> list:
        view = self.model_admin.admin_site.admin_view
        return [
            path("start/", view(self.start_view), name="billing_billingrun_start"),
            path("start/confirm/", view(self.confirm_view), name="billing_billingrun_start_confirm"),
            path("batch/<int:batch_id>/", view(self.batch_view), name="billing_runbatch_progress"),
        ]

    def _context(self, request, title: str) -> dict:
        return {
            **self.model_admin.admin_site.each_context(request),
            "opts": self.model_admin.model._meta,
            "title": title,
        }

    def _check_may_start(self, request) -> None:
        if not self.model_admin.may_act(request):
            raise PermissionDenied

    def start_view(self, request):
        """Choose the month and the community; the form is sent (GET) to the confirmation page."""
        self._check_may_start(request)
        year, month = previous_month()
        form = RunStartForm(
            initial={"period": _period_text(year, month), "community": request.GET.get("community") or None}
        )
        recent = (
            RunBatch.objects.select_related("created_by")
            .annotate(
                total=Count("items"),
                done=Count("items", filter=Q(items__state=RunBatchItem.State.DONE)),
                waiting=Count("items", filter=Q(items__state=RunBatchItem.State.QUEUED)),
            )
            .order_by("-created_at", "-pk")[:10]
        )
        context = {**self._context(request, _("Abrechnung starten")), "form": form, "recent": recent}
        return TemplateResponse(request, "admin/billing/billingrun/start.html", context)

    def confirm_view(self, request):
        """What confirming would do per community; POST starts the batch and leads to its progress."""
        self._check_may_start(request)
        form = RunStartForm(request.POST if request.method == "POST" else request.GET)
        if not form.is_valid():
            context = {**self._context(request, _("Abrechnung starten")), "form": form, "recent": []}
            return TemplateResponse(request, "admin/billing/billingrun/start.html", context)
        year, month = form.cleaned_data["period"]
        community = form.cleaned_data["community"]
        if request.method == "POST":
            try:
                batch = run_batch_start(
                    community_id=community.pk if community else None, year=year, month=month, actor=request.user
                )
            except DomainError as error:
                self.model_admin.message_user(request, error.message, messages.ERROR)
            else:
                count = batch.items.count()
                self.model_admin.message_user(
                    request,
                    ngettext(
                        "Die Abrechnung %(month)02d/%(year)s wurde für %(count)s Gemeinschaft gestartet.",
                        "Die Abrechnung %(month)02d/%(year)s wurde für %(count)s Gemeinschaften gestartet.",
                        count,
                    )
                    % {"month": month, "year": year, "count": count},
                    messages.SUCCESS,
                )
                return redirect("admin:billing_runbatch_progress", batch.pk)
        plan = run_start_plan(
            communities=communities_to_start(community.pk if community else None), year=year, month=month
        )
        computing = sum(planned.computes for planned in plan)
        context = {
            **self._context(request, _("Abrechnung %(month)02d/%(year)s bestätigen") % {"month": month, "year": year}),
            "plan": plan,
            "computing": computing,
            "refused": len(plan) - computing,
            "period": _period_text(year, month),
            "community": community,
            "year": year,
            "month": month,
        }
        return TemplateResponse(request, "admin/billing/billingrun/start_confirm.html", context)

    def batch_view(self, request, batch_id: int):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        try:
            progress = run_batch_progress(batch_id=batch_id)
        except RunBatch.DoesNotExist as missing:
            raise Http404(_("Diesen Abrechnungsstapel gibt es nicht.")) from missing
        batch, counts = progress.batch, progress.counts
        summary = _("%(done)s von %(total)s berechnet") % {
            "done": counts[RunBatchItem.State.DONE],
            "total": len(progress.items),
        }
        for state, text in (
            (RunBatchItem.State.REFUSED, _("%(count)s abgelehnt")),
            (RunBatchItem.State.FAILED, _("%(count)s fehlgeschlagen")),
            (RunBatchItem.State.QUEUED, _("%(count)s warten")),
        ):
            if counts[state]:
                summary += ", " + text % {"count": counts[state]}
        context = {
            **self._context(request, _("Abrechnung %(month)02d/%(year)s") % {"month": batch.month, "year": batch.year}),
            "batch": batch,
            "items": progress.items,
            "summary": summary,
            "refresh": REFRESH_SECONDS if progress.waiting else None,
        }
        return TemplateResponse(request, "admin/billing/billingrun/batch.html", context)
