"""Staff console for billing: reconcile a run with the VNB, then approve (issue invoices) or cancel (credit notes).

Thin doors: every write goes through ``billing.services``; whatever issues or reverses money is done only from a
confirmation page. A run's page reads its figures with a fixed number of aggregate queries, whatever the number
of participants.
"""

from datetime import date

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing import exports as run_exports
from billing.admin_deviations import DeviationViews
from billing.admin_pdfs import invoice_pdf_urls, pdf_link, run_pdf_urls
from billing.admin_receivables import PaymentStateFilter, ReceivablesAdminMixin, SettlementInline
from billing.admin_start import RunStartViews
from billing.forms import AllocationKeyFormSet, RunApproveForm, RunCancelForm
from billing.models import (
    AllocationKey,
    AllocationSetting,
    BillingRun,
    Invoice,
    InvoiceLine,
    RunStatus,
)
from billing.run_confirm import run_approve_confirmed, run_cancel_confirmed
from billing.run_page import (
    approval_context,
    approved_message,
    cancel_context,
    cancelled_message,
    computed_message,
    method_label,
    run_page_context,
    run_period,
)
from billing.services import billing_run_start
from communities.admin import AuditedAdminMixin
from communities.models import Participant
from openleg.addresses import address_lines
from openleg.admin_mixins import ReadOnlyAdminMixin
from openleg.errors import DomainError
from openleg.formats import (
    format_chf,
    format_percent,
    format_price,
    format_quantity_number,
)
from openleg.permissions import ActsOnRecordsMixin
from openleg.spreadsheets import spreadsheet_response


def _first_month(day: date) -> int:
    """year * 100 + month of the first month whose first day is on or after ``day``."""
    if day.day == 1:
        return day.year * 100 + day.month
    return day.year * 100 + day.month + 1 if day.month < 12 else (day.year + 1) * 100 + 1


def allocation_setting_is_used(setting: AllocationSetting) -> bool:
    """Whether a run that was approved (and maybe cancelled later) billed a month under this setting."""
    if setting.pk is None:
        return False
    if not hasattr(setting, "_is_used"):
        following = (
            AllocationSetting.objects.filter(community=setting.community_id, effective_from__gt=setting.effective_from)
            .order_by("effective_from")
            .values_list("effective_from", flat=True)
            .first()
        )
        runs = BillingRun.objects.filter(community=setting.community_id, approved_at__isnull=False).annotate(
            month_index=F("year") * 100 + F("month")
        )
        runs = runs.filter(month_index__gte=_first_month(setting.effective_from))
        if following is not None:
            runs = runs.filter(month_index__lt=_first_month(following))
        setting._is_used = runs.exists()
    return setting._is_used


@admin.register(BillingRun)
class BillingRunAdmin(ActsOnRecordsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Runs are made and changed only by the services; the admin shows them and leads to approve or cancel."""

    list_display = [
        "community",
        "month_label",
        "status",
        "method_label",
        "blocking_issues",
        "deviations",
        "computed_at",
        "approved_by",
    ]
    list_filter = ["status", "community", "year"]
    list_select_related = ["community", "approved_by"]
    search_fields = ["community__name"]
    actions = None

    @admin.display(description=gettext_lazy("Monat"), ordering=F("year") * 100 + F("month"))
    def month_label(self, obj: BillingRun) -> str:
        return f"{obj.month:02d}/{obj.year}"

    @admin.display(description=gettext_lazy("Verfahren"), ordering="method")
    def method_label(self, obj: BillingRun) -> str:
        return method_label(obj.method)

    # -- urls ----------------------------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("<int:object_id>/approve/", view(self.approve_view), name="billing_billingrun_approve"),
            path("<int:object_id>/cancel/", view(self.cancel_view), name="billing_billingrun_cancel"),
            path("<int:object_id>/recompute/", view(self.recompute_view), name="billing_billingrun_recompute"),
            path("<int:object_id>/export.xlsx", view(self.export_view), name="billing_billingrun_export"),
            *RunStartViews(self).urls(),
            *DeviationViews(self).urls(),
            *run_pdf_urls(self),
        ]
        return own + super().get_urls()

    def export_view(self, request, object_id):
        """The run's figures per participant and per day as a workbook (the portal offers the same to utilities)."""
        run = self._run(object_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        return spreadsheet_response(run_exports.run_xlsx(run), f"{run_exports.run_file_stem(run)}.xlsx")

    def _run(self, object_id) -> BillingRun:
        return get_object_or_404(
            BillingRun.objects.select_related("community", "approved_by", "created_by"), pk=object_id
        )

    def _page(self, run: BillingRun):
        return redirect("admin:billing_billingrun_change", run.pk)

    def _context(self, request, run: BillingRun, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": run,
            "run": run,
            "title": title,
            **run_period(run),
            "may_act": self.may_act(request),
        }

    # -- the run's page ------------------------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self._run(object_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        context = {
            **run_page_context(run),
            **self._context(request, run, _("Abrechnungslauf %(run)s") % {"run": run}),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/billing/billingrun/run.html", context)

    # -- actions -------------------------------------------------------------------------------------------------

    def approve_view(self, request, object_id):
        self._check_may_act(request)
        run = self._run(object_id)
        if run.status != RunStatus.DRAFT:
            self.message_user(request, _("Nur Entwürfe können freigegeben werden."), messages.WARNING)
            return self._page(run)
        form = RunApproveForm(request.POST if request.method == "POST" else None, run=run)
        if form.is_bound and form.is_valid():
            try:
                run = run_approve_confirmed(form=form, actor=request.user)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, approved_message(run), messages.SUCCESS)
                return self._page(run)
        context = {
            **self._context(request, run, _("Freigeben und verrechnen: %(run)s") % {"run": run}),
            **approval_context(run),
            "form": form,
        }
        return TemplateResponse(request, "admin/billing/billingrun/approve.html", context)

    def cancel_view(self, request, object_id):
        self._check_may_act(request)
        run = self._run(object_id)
        if run.status == RunStatus.CANCELLED:
            self.message_user(request, _("Der Lauf ist bereits storniert."), messages.WARNING)
            return self._page(run)
        form = RunCancelForm(request.POST if request.method == "POST" else None, run=run)
        if form.is_bound and form.is_valid():
            try:
                run = run_cancel_confirmed(form=form, actor=request.user)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, cancelled_message(run), messages.SUCCESS)
                return self._page(run)
        context = {
            **self._context(request, run, _("Stornieren: %(run)s") % {"run": run}),
            **cancel_context(run),
            "form": form,
        }
        return TemplateResponse(request, "admin/billing/billingrun/cancel.html", context)

    def recompute_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._check_may_act(request)
        run = self._run(object_id)
        if run.status != RunStatus.DRAFT:
            self.message_user(request, _("Nur Entwürfe können neu berechnet werden."), messages.WARNING)
            return self._page(run)
        try:
            run = billing_run_start(community=run.community, year=run.year, month=run.month, actor=request.user)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, computed_message(run), messages.SUCCESS)
        return self._page(run)


def _or_empty(value, format_value) -> str:
    return "" if value is None else format_value(value)


class InvoiceLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InvoiceLine
    extra = 0
    fields = ["position", "kind", "label", "quantity_display", "unit", "unit_price_display", "amount_display"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description=gettext_lazy("Menge"))
    def quantity_display(self, obj: InvoiceLine) -> str:
        return "" if obj.quantity is None else format_quantity_number(obj.quantity, obj.unit)

    @admin.display(description=gettext_lazy("Preis (Rp./kWh)"))
    def unit_price_display(self, obj: InvoiceLine) -> str:
        return _or_empty(obj.unit_price, format_price)

    @admin.display(description=gettext_lazy("Betrag (CHF)"))
    def amount_display(self, obj: InvoiceLine) -> str:
        return _or_empty(obj.amount_chf, format_chf)


ADDRESS_EXTRAS = {
    "representative": gettext_lazy("Vertreten durch"),
    "iban": gettext_lazy("IBAN"),
    "email": gettext_lazy("E-Mail"),
}


def address_block(party: dict) -> str:
    """An address snapshot as it stands on the invoice, then what else was copied (IBAN, e-mail, representative)."""
    lines = [(line,) for line in address_lines(party)]
    lines += [(f"{label}: {party[key]}",) for key, label in ADDRESS_EXTRAS.items() if party.get(key)]
    return format_html_join(mark_safe("<br>"), "{}", lines)


@admin.register(Invoice)
class InvoiceAdmin(ReceivablesAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Invoices and credit notes are legal records: shown, never added, changed or deleted here."""

    list_display = [
        "display_number",
        "kind",
        "community",
        "participant",
        "total",
        "open_display",
        "state_display",
        "due_date",
    ]
    list_filter = [PaymentStateFilter, "kind", "community"]
    list_select_related = ["community", "participant"]
    search_fields = ["customer_number", "participant__last_name", "participant__company_name"]
    date_hierarchy = "issued_at"
    inlines = [InvoiceLineInline, SettlementInline]
    actions = None
    fields = [
        "display_number",
        "kind",
        "community",
        "run",
        "participant",
        "corrects",
        "issued_at",
        "due_date",
        "period_from",
        "period_to",
        "issuer_block",
        "recipient_block",
        "customer_number",
        "vat_number",
        "vat_rate_display",
        "subtotal",
        "vat",
        "total",
        "open_display",
        "state_display",
        "provisional_data",
        "reason",
        "pdf_file",
    ]
    readonly_fields = fields

    def get_urls(self):
        return invoice_pdf_urls(self) + super().get_urls()

    @admin.display(description=gettext_lazy("PDF"))
    def pdf_file(self, obj: Invoice) -> str:
        return pdf_link(obj)

    @admin.display(description=gettext_lazy("Rechnungsstellerin"))
    def issuer_block(self, obj: Invoice) -> str:
        return address_block(obj.issuer)

    @admin.display(description=gettext_lazy("Empfänger"))
    def recipient_block(self, obj: Invoice) -> str:
        return address_block(obj.recipient)

    @admin.display(description=gettext_lazy("Nummer"), ordering="number")
    def display_number(self, obj: Invoice) -> str:
        return obj.display_number

    @admin.display(description=gettext_lazy("MWST-Satz"))
    def vat_rate_display(self, obj: Invoice) -> str:
        return format_percent(obj.vat_rate * 100)

    @admin.display(description=gettext_lazy("Zwischensumme (CHF)"))
    def subtotal(self, obj: Invoice) -> str:
        return format_chf(obj.subtotal_chf)

    @admin.display(description=gettext_lazy("MWST (CHF)"))
    def vat(self, obj: Invoice) -> str:
        return format_chf(obj.vat_chf)

    @admin.display(description=gettext_lazy("Total (CHF)"), ordering="total_chf")
    def total(self, obj: Invoice) -> str:
        return format_chf(obj.total_chf)


class AllocationKeyInline(admin.TabularInline):
    model = AllocationKey
    formset = AllocationKeyFormSet
    extra = 0
    fields = ["participant", "weight", "rank"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "participant":
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            queryset = Participant.objects.order_by("community", "customer_number")
            if object_id:
                community = AllocationSetting.objects.filter(pk=object_id).values("community")
                queryset = queryset.filter(community__in=community)
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj and allocation_setting_is_used(obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and allocation_setting_is_used(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and allocation_setting_is_used(obj))


@admin.register(AllocationSetting)
class AllocationSettingAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Master data, saved through the audited path; once a month was billed with a setting it stays as it was."""

    list_display = ["community", "method", "effective_from", "key_count"]
    list_filter = ["method", "community"]
    list_select_related = ["community"]
    search_fields = ["community__name"]
    inlines = [AllocationKeyInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(key_count=Count("keys"))

    @admin.display(description=gettext_lazy("Schlüssel"), ordering="key_count")
    def key_count(self, obj: AllocationSetting) -> int:
        return obj.key_count

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and allocation_setting_is_used(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and allocation_setting_is_used(obj))
