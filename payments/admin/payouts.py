"""Staff console for payouts: what is due per community, batches created, confirmed and cancelled from
confirmation pages, the pain.001 file to download. Batches and their transfers are records: never edited here.
"""

import hashlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Community, CreditHandling, Door
from openleg.admin_mixins import ReadOnlyAdminMixin
from openleg.errors import DomainError
from openleg.formats import format_chf, format_day
from openleg.permissions import ActsOnRecordsMixin
from payments.models import BankDebit, DebitStatus, PayoutBatch, PayoutBatchStatus
from payments.payouts import (
    PayoutsDue,
    default_execution_date,
    payout_account_problem,
    payout_batch_cancel,
    payout_batch_confirm,
    payout_batch_create,
    payouts_due,
    payouts_due_overview,
    payouts_settled_meanwhile,
)


def due_state(due: PayoutsDue) -> str:
    """What a confirmation page showed: if the credits due changed before the POST, the page is read again."""
    shown = ";".join(f"{item.invoice.pk}:{item.amount}" for item in due.payable)
    return hashlib.sha256(shown.encode()).hexdigest()


class PayoutBatchCreateForm(forms.Form):
    state = forms.CharField(widget=forms.HiddenInput)
    execution_date = forms.DateField(
        label=gettext_lazy("Ausführungsdatum"),
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d.%m.%Y", attrs={"size": 10}),
        error_messages={"invalid": gettext_lazy("Bitte ein Datum der Form TT.MM.JJJJ angeben.")},
    )

    def __init__(self, *args, due: PayoutsDue, **kwargs):
        super().__init__(*args, **kwargs)
        self.due = due
        self.fields["state"].initial = due_state(due)
        self.fields["execution_date"].initial = default_execution_date()

    def clean_state(self) -> str:
        state = self.cleaned_data["state"]
        if state != due_state(self.due):
            raise forms.ValidationError(
                _(
                    "Die fälligen Guthaben haben sich geändert, seit diese Seite geöffnet wurde. Bitte prüfen Sie "
                    "die Angaben erneut."
                )
            )
        return state


class PayoutBatchCancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Grund der Stornierung"),
        required=False,  # payout_batch_cancel refuses an empty reason, in German
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80, "required": True}),
    )


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ActsOnRecordsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["message_id", "community", "execution_day", "status", "payout_count", "total", "created_at"]
    list_filter = ["status", "community"]
    list_select_related = ["community"]
    search_fields = ["message_id", "community__name", "payouts__end_to_end_id"]
    date_hierarchy = "execution_date"
    actions = None

    @admin.display(description=gettext_lazy("Ausführungsdatum"), ordering="execution_date")
    def execution_day(self, obj: PayoutBatch) -> str:
        return format_day(obj.execution_date)

    @admin.display(description=gettext_lazy("Total (CHF)"), ordering="total_chf")
    def total(self, obj: PayoutBatch) -> str:
        return format_chf(obj.total_chf)

    # -- permissions and urls ------------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("due/", view(self.due_view), name="payments_payoutbatch_due"),
            path("due/<int:community_id>/", view(self.create_view), name="payments_payoutbatch_create"),
            path("<int:object_id>/download/", view(self.download_view), name="payments_payoutbatch_download"),
            path("<int:object_id>/confirm/", view(self.confirm_view), name="payments_payoutbatch_confirm"),
            path("<int:object_id>/cancel/", view(self.cancel_view), name="payments_payoutbatch_cancel"),
        ]
        return own + super().get_urls()

    def _batch(self, object_id) -> PayoutBatch:
        related = ("community", "created_by", "confirmed_by", "cancelled_by")
        return get_object_or_404(PayoutBatch.objects.select_related(*related), pk=object_id)

    def _page(self, batch: PayoutBatch):
        return redirect("admin:payments_payoutbatch_change", batch.pk)

    def _context(self, request, title: str, **values) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "may_act": self.may_act(request),
            **values,
        }

    def changelist_view(self, request, extra_context=None):
        extra = {"due_url": reverse("admin:payments_payoutbatch_due"), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    # -- what is due ---------------------------------------------------------------------------------------------

    def due_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = [
            {
                "community": community,
                "due": due,
                "total": format_chf(due.total),
                "held_total": format_chf(due.held_total),
                "account_problem": payout_account_problem(community),
            }
            for community, due in payouts_due_overview()
        ]
        context = self._context(request, _("Fällige Auszahlungen"), rows=rows)
        return TemplateResponse(request, "admin/payments/payoutbatch/due.html", context)

    def create_view(self, request, community_id):
        self._check_may_act(request)
        community = get_object_or_404(Community.objects.select_related("utility"), pk=community_id)
        due = payouts_due(community)
        form = PayoutBatchCreateForm(request.POST if request.method == "POST" else None, due=due)
        if form.is_bound and form.is_valid():
            try:
                batch = payout_batch_create(
                    community=community,
                    execution_date=form.cleaned_data["execution_date"],
                    actor=request.user,
                    door=Door.ADMIN,
                )
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _(
                        "Die Auszahlung %(batch)s ist erstellt: %(count)s Überweisungen, total CHF %(total)s. "
                        "Laden Sie die Datei herunter und übermitteln Sie sie der Bank."
                    )
                    % {"batch": batch, "count": batch.payout_count, "total": format_chf(batch.total_chf)},
                    messages.SUCCESS,
                )
                return self._page(batch)
        context = self._context(
            request,
            _("Auszahlung erstellen: %(community)s") % {"community": community},
            community=community,
            form=form,
            due=due,
            total=format_chf(due.total),
            held_total=format_chf(due.held_total),
            carries_over=community.credit_handling != CreditHandling.PAYOUT,
            account_problem=payout_account_problem(community),
            payout_account=community.payout_account,
        )
        return TemplateResponse(request, "admin/payments/payoutbatch/create.html", context)

    # -- a batch -------------------------------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self._batch(object_id)
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        confirming = BankDebit.objects.filter(status=DebitStatus.CONFIRMED).select_related("bank_file")
        payouts = (
            batch.payouts.select_related("participant", "invoice", "settlement")
            .prefetch_related(Prefetch("bank_debits", queryset=confirming, to_attr="confirming_debits"))
            .order_by("pk")
        )
        context = self._context(
            request,
            _("Auszahlung %(batch)s") % {"batch": batch},
            original=batch,
            batch=batch,
            payouts=payouts,
            total=format_chf(batch.total_chf),
            can_change=batch.status == PayoutBatchStatus.EXPORTED,
        )
        return TemplateResponse(request, "admin/payments/payoutbatch/batch.html", context)

    def download_view(self, request, object_id):
        batch = self._batch(object_id)
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        return FileResponse(
            batch.file.open("rb"),
            as_attachment=True,
            filename=f"{batch.message_id}.xml",
            content_type="application/xml",
        )

    def confirm_view(self, request, object_id):
        self._check_may_act(request)
        batch = self._batch(object_id)
        if batch.status != PayoutBatchStatus.EXPORTED:
            self.message_user(request, _("Nur exportierte Auszahlungen können bestätigt werden."), messages.WARNING)
            return self._page(batch)
        if request.method == "POST":
            try:
                batch = payout_batch_confirm(batch=batch, actor=request.user, door=Door.ADMIN)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Die Auszahlung %(batch)s ist als von der Bank ausgeführt gebucht (CHF %(total)s).")
                    % {"batch": batch, "total": format_chf(batch.total_chf)},
                    messages.SUCCESS,
                )
            return self._page(batch)
        context = self._context(
            request,
            _("Von der Bank ausgeführt: %(batch)s") % {"batch": batch},
            original=batch,
            batch=batch,
            total=format_chf(batch.total_chf),
            changed=[
                {"payout": payout, "open": format_chf(open_chf), "amount": format_chf(payout.amount_chf)}
                for payout, open_chf in payouts_settled_meanwhile(batch)
            ],
        )
        return TemplateResponse(request, "admin/payments/payoutbatch/confirm.html", context)

    def cancel_view(self, request, object_id):
        self._check_may_act(request)
        batch = self._batch(object_id)
        if batch.status != PayoutBatchStatus.EXPORTED:
            self.message_user(request, _("Nur exportierte Auszahlungen können storniert werden."), messages.WARNING)
            return self._page(batch)
        form = PayoutBatchCancelForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                batch = payout_batch_cancel(
                    batch=batch, reason=form.cleaned_data["reason"], actor=request.user, door=Door.ADMIN
                )
            except DomainError as error:
                form.add_error("reason", error.message)
            else:
                self.message_user(
                    request,
                    _("Die Auszahlung %(batch)s ist storniert; ihre Guthaben sind wieder fällig.") % {"batch": batch},
                    messages.SUCCESS,
                )
                return self._page(batch)
        context = self._context(
            request,
            _("Stornieren: %(batch)s") % {"batch": batch},
            original=batch,
            batch=batch,
            form=form,
            total=format_chf(batch.total_chf),
        )
        return TemplateResponse(request, "admin/payments/payoutbatch/cancel.html", context)
