"""Reminder console: propose a list, read it, approve (fees booked, PDFs and e-mails follow) or discard it."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Community, CommunityStatus, Door
from openleg.errors import DomainError
from openleg.formats import format_chf
from openleg.periods import local_date, utc_now
from openleg.permissions import ActsOnRecordsMixin
from payments.models import ReminderRun, ReminderRunStatus
from payments.reminders import reminder_run_approve, reminder_run_discard, reminder_run_propose


class ProposeForm(forms.Form):
    community = forms.ModelChoiceField(
        label=gettext_lazy("Gemeinschaft"), queryset=Community.objects.filter(status=CommunityStatus.ACTIVE)
    )
    as_of = forms.DateField(label=gettext_lazy("Stichtag"), widget=forms.DateInput(attrs={"type": "date"}))


@admin.register(ReminderRun)
class ReminderRunAdmin(ActsOnRecordsMixin, admin.ModelAdmin):
    list_display = ["community", "as_of", "status", "reminder_count", "amount_due", "created_at", "decided_by"]
    list_filter = ["status", "community"]
    list_select_related = ["community", "decided_by"]
    actions = None

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(count=Count("reminders"), open_sum=Sum("reminders__open_chf"), fee_sum=Sum("reminders__fee_chf"))
        )

    @admin.display(description=gettext_lazy("Mahnungen"), ordering="count")
    def reminder_count(self, obj) -> int:
        return obj.count

    @admin.display(description=gettext_lazy("gefordert (CHF)"))
    def amount_due(self, obj) -> str:
        return format_chf((obj.open_sum or Decimal(0)) + (obj.fee_sum or Decimal(0)))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("propose/", view(self.propose_view), name="payments_reminderrun_propose"),
            path(
                "<int:object_id>/approve/",
                view(self.decide_view),
                {"decision": "approve"},
                name="payments_reminderrun_approve",
            ),
            path(
                "<int:object_id>/discard/",
                view(self.decide_view),
                {"decision": "discard"},
                name="payments_reminderrun_discard",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **extra}

    def propose_view(self, request):
        self._check_may_act(request)
        form = ProposeForm(request.POST or None, initial={"as_of": local_date(utc_now())})
        if request.method == "POST" and form.is_valid():
            try:
                run = reminder_run_propose(
                    community=form.cleaned_data["community"],
                    as_of=form.cleaned_data["as_of"],
                    actor=request.user,
                    door=Door.ADMIN,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return redirect("admin:payments_reminderrun_change", run.pk)
        return TemplateResponse(
            request, "admin/payments/reminderrun/propose.html", self._context(request, _("Mahnvorschlag"), form=form)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = get_object_or_404(ReminderRun.objects.select_related("community", "decided_by"), pk=object_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        return TemplateResponse(
            request,
            "admin/payments/reminderrun/run.html",
            self._context(request, str(run), **_listing(run), may_act=self.may_act(request)),
        )

    def decide_view(self, request, object_id, decision):
        self._check_may_act(request)
        run = get_object_or_404(ReminderRun.objects.select_related("community"), pk=object_id)
        if request.method == "POST":
            service = reminder_run_approve if decision == "approve" else reminder_run_discard
            try:
                service(run=run, actor=request.user, door=Door.ADMIN)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                done = (
                    _("Der Mahnlauf ist freigegeben; die Mahnungen werden erstellt und versendet.")
                    if decision == "approve"
                    else _("Der Mahnvorschlag ist verworfen.")
                )
                self.message_user(request, done, messages.SUCCESS)
            return redirect("admin:payments_reminderrun_change", run.pk)
        title = _("Mahnungen freigeben") if decision == "approve" else _("Mahnvorschlag verwerfen")
        return TemplateResponse(
            request,
            "admin/payments/reminderrun/decide.html",
            self._context(request, title, decision=decision, **_listing(run)),
        )


def _listing(run: ReminderRun) -> dict:
    # the outbox (documents) records each sending against the reminder: read through the reverse relation, so that
    # payments needs no import of the app above it
    reminders = list(
        run.reminders.select_related("invoice__participant").prefetch_related("dispatches").order_by("invoice__number")
    )
    rows = [
        {
            "reminder": reminder,
            "open": format_chf(reminder.open_chf),
            "fee": format_chf(reminder.fee_chf),
            "due": format_chf(reminder.amount_due),
            "dispatch": max(reminder.dispatches.all(), key=lambda dispatch: dispatch.pk, default=None),  # the newest
        }
        for reminder in reminders
    ]
    total = sum((reminder.amount_due for reminder in reminders), Decimal(0))
    fees = sum((reminder.fee_chf for reminder in reminders), Decimal(0))
    return {
        "run": run,
        "rows": rows,
        "total": format_chf(total),
        "fees": format_chf(fees),
        "is_draft": run.status == ReminderRunStatus.DRAFT,
        "is_approved": run.status == ReminderRunStatus.APPROVED,
    }
