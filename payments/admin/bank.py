"""Staff console for payments in: bank files (upload, preview, book), their credits (confirm a suggestion, assign
to an invoice) and the open items per community.

Thin doors: every write goes through ``payments.bank_import`` or ``payments.bank_resolve``; whatever books money is
done only from a confirmation page. Lists and the open items page read with a fixed number of queries.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.receivables import open_amount
from communities.models import Door
from openleg.admin_mixins import ReadOnlyAdminMixin
from openleg.errors import DomainError
from openleg.formats import format_chf
from openleg.periods import local_today
from openleg.permissions import may_change
from payments.admin.bank_debits import DebitInline
from payments.admin.bank_forms import AssignForm, BankFileUploadForm, OpenItemsFilterForm
from payments.bank_import import bank_file_book, bank_file_preview, bank_file_stage
from payments.bank_resolve import bank_credit_assign, bank_credit_confirm, invoice_by_number
from payments.models import BankCredit, BankFile, BankFileStatus, CreditStatus, DebitStatus
from payments.open_items import BUCKETS, open_items

NEEDS_A_PERSON = (CreditStatus.SUGGESTED, CreditStatus.UNMATCHED, CreditStatus.NOT_BOOKED)


def may_book(request) -> bool:
    """Booking money needs the change permission on bank files (never an edit form)."""
    return may_change(request.user, BankFile)


def invoice_link(invoice) -> str:
    if invoice is None:
        return "–"
    return format_html(
        '<a href="{}">{}</a>', reverse("admin:billing_invoice_change", args=[invoice.pk]), invoice.display_number
    )


class OpenCreditInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The credits of a file that wait for a person; all of them are in the credits list."""

    model = BankCredit
    fk_name = "bank_file"
    verbose_name_plural = gettext_lazy("Gutschriften, die eine Person entscheiden muss")
    fields = (
        "position",
        "booked_on",
        "amount_display",
        "debtor_name",
        "reference",
        "status",
        "invoice_display",
        "reason",
    )
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status__in=NEEDS_A_PERSON).select_related("invoice")

    @admin.display(description=gettext_lazy("Betrag"))
    def amount_display(self, obj: BankCredit) -> str:
        return f"{obj.currency} {format_chf(obj.amount)}"

    @admin.display(description=gettext_lazy("Rechnung"))
    def invoice_display(self, obj: BankCredit) -> str:
        return invoice_link(obj.invoice)


@admin.register(BankFile)
class BankFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "filename",
        "format",
        "community",
        "status",
        "matched_display",
        "suggested_count",
        "unmatched_count",
        "not_booked_count",
        "duplicate_count",
        "door",
        "actor",
    )
    list_filter = ("status", "format", "community")
    list_select_related = ("community", "actor")
    search_fields = ("filename", "message_id", "sha256")
    date_hierarchy = "created_at"
    inlines = [OpenCreditInline, DebitInline]
    fields = (
        "filename",
        "file",
        "format",
        "version",
        "message_id",
        "account_iban",
        "community",
        "status",
        "same_as",
        "error_list",
        "credits_link",
        ("matched_count", "matched_chf"),
        ("suggested_count", "suggested_chf"),
        ("unmatched_count", "unmatched_chf"),
        ("not_booked_count", "not_booked_chf"),
        ("duplicate_count", "duplicate_chf"),
        "sha256",
        "size",
        "created_at",
        "booked_at",
        "actor",
        "door",
    )
    readonly_fields = tuple(name for item in fields for name in (item if isinstance(item, tuple) else (item,)))
    change_list_template = "admin/payments/bankfile/change_list.html"

    @admin.display(description=gettext_lazy("verbucht (CHF)"), ordering="matched_chf")
    def matched_display(self, obj: BankFile) -> str:
        return f"{obj.matched_count} / {format_chf(obj.matched_chf)}"

    @admin.display(description=gettext_lazy("Fehler"))
    def error_list(self, obj: BankFile) -> str:
        return render_to_string("admin/includes/text_list.html", {"items": obj.errors})

    @admin.display(description=gettext_lazy("Gutschriften"))
    def credits_link(self, obj: BankFile) -> str:
        url = reverse("admin:payments_bankcredit_changelist") + f"?bank_file__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("alle Gutschriften dieser Datei"))

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("upload/", view(self.upload_view), name="payments_bankfile_upload"),
            path("<int:object_id>/preview/", view(self.preview_view), name="payments_bankfile_preview"),
            path("<int:object_id>/book/", view(self.book_view), name="payments_bankfile_book"),
            path("open-items/", view(self.open_items_view), name="payments_open_items"),
        ]
        return own + super().get_urls()

    def _context(self, request, title: str, **extra) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **extra}

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "may_book": may_book(request)})

    def upload_view(self, request):
        if not may_book(request):
            raise PermissionDenied
        form = BankFileUploadForm(request.POST or None, request.FILES or None)
        if form.is_bound and form.is_valid():
            upload = form.cleaned_data["file"]
            outcome = bank_file_stage(data=upload.read(), filename=upload.name, actor=request.user, door=Door.ADMIN)
            for error in outcome.errors:
                self.message_user(request, error, messages.ERROR if not outcome.ok else messages.WARNING)
            if outcome.status == BankFileStatus.PREVIEW:
                return redirect("admin:payments_bankfile_preview", outcome.bank_file.pk)
            return redirect("admin:payments_bankfile_change", outcome.bank_file.pk)
        return TemplateResponse(
            request, "admin/payments/bankfile/upload.html", self._context(request, _("Bankdatei hochladen"), form=form)
        )

    def preview_view(self, request, object_id):
        if not may_book(request):
            raise PermissionDenied
        bank_file = get_object_or_404(BankFile.objects.select_related("community"), pk=object_id)
        if bank_file.status != BankFileStatus.PREVIEW:
            return redirect("admin:payments_bankfile_change", bank_file.pk)
        outcome = bank_file_preview(bank_file=bank_file)
        counts = {status: 0 for status in CreditStatus.values}
        for credit in outcome.credits:
            counts[credit.status] += 1
        context = self._context(
            request,
            _("Vorschau: %(file)s") % {"file": bank_file.filename},
            bank_file=bank_file,
            outcome=outcome,
            labels=dict(CreditStatus.choices),
            debit_labels=dict(DebitStatus.choices),
            counts=[(CreditStatus(status).label, count) for status, count in counts.items() if count],
        )
        return TemplateResponse(request, "admin/payments/bankfile/preview.html", context)

    def book_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not may_book(request):
            raise PermissionDenied
        bank_file = get_object_or_404(BankFile, pk=object_id)
        try:
            outcome = bank_file_book(bank_file=bank_file, actor=request.user, door=Door.ADMIN)
        except DomainError as error:
            self.message_user(request, error.message, messages.WARNING)
            return redirect("admin:payments_bankfile_change", bank_file.pk)
        if outcome.ok and outcome.status == BankFileStatus.BOOKED:
            bank_file.refresh_from_db()
            for batch in outcome.confirmed_batches:
                self.message_user(
                    request,
                    _(
                        "Die Bank hat alle %(count)s Überweisungen der Auszahlung %(batch)s belastet; sie ist als "
                        "ausgeführt gebucht (CHF %(total)s)."
                    )
                    % {"count": batch.payout_count, "batch": batch, "total": format_chf(batch.total_chf)},
                    messages.SUCCESS,
                )
            self.message_user(
                request,
                _(
                    "%(file)s ist verbucht: %(matched)s Zahlungen über CHF %(chf)s; %(open)s Gutschriften warten "
                    "auf eine Entscheidung."
                )
                % {
                    "file": bank_file.filename,
                    "matched": bank_file.matched_count,
                    "chf": format_chf(bank_file.matched_chf),
                    "open": bank_file.suggested_count + bank_file.unmatched_count + bank_file.not_booked_count,
                },
                messages.SUCCESS,
            )
        for error in outcome.errors:
            self.message_user(request, error, messages.ERROR)
        return redirect("admin:payments_bankfile_change", bank_file.pk)

    def open_items_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = OpenItemsFilterForm(request.GET or None)
        community = form.cleaned_data["community"] if form.is_valid() else None
        today = local_today()
        items = open_items(community=community, today=today)
        context = self._context(
            request,
            _("Offene Posten: %(community)s") % {"community": community} if community else _("Offene Posten"),
            form=form,
            items=items,
            today=today,
            buckets=[(key, label, format_chf(items.totals[key])) for key, label in BUCKETS],
            total=format_chf(items.total),
        )
        return TemplateResponse(request, "admin/payments/open_items.html", context)


@admin.register(BankCredit)
class BankCreditAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "bank_file",
        "position",
        "booked_on",
        "amount_display",
        "debtor_name",
        "reference",
        "status",
        "invoice_display",
        "reason",
        "resolved_by",
    )
    list_filter = ("status", "bank_file__community", "bank_file")
    list_select_related = ("bank_file", "invoice", "resolved_by")
    search_fields = ("debtor_name", "reference", "unstructured", "account_servicer_ref")
    actions = ["confirm_suggestions", "assign_to_invoice"]
    fields = (
        "bank_file",
        "position",
        "line",
        "entry_status",
        "booked_on",
        "value_date",
        "amount",
        "currency",
        "reference",
        "reference_type",
        "unstructured",
        "debtor_name",
        "debtor_iban",
        "account_servicer_ref",
        "dedupe_key",
        "status",
        "reason",
        "duplicate_of",
        "invoice",
        "settlement",
        "resolved_at",
        "resolved_by",
        "resolved_door",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("Betrag"), ordering="amount")
    def amount_display(self, obj: BankCredit) -> str:
        return f"{obj.currency} {format_chf(obj.amount)}"

    @admin.display(description=gettext_lazy("Rechnung"))
    def invoice_display(self, obj: BankCredit) -> str:
        return invoice_link(obj.invoice)

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [path("<int:object_id>/assign/", view(self.assign_view), name="payments_bankcredit_assign")]
        return own + super().get_urls()

    def _context(self, request, title: str, **extra) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **extra}

    @admin.action(description=gettext_lazy("Vorschläge bestätigen und verbuchen"))
    def confirm_suggestions(self, request, queryset):
        if not may_book(request):
            raise PermissionDenied
        credits = list(queryset.filter(status=CreditStatus.SUGGESTED).select_related("bank_file", "invoice"))
        if not credits:
            self.message_user(request, _("Keine der gewählten Gutschriften ist ein Vorschlag."), messages.WARNING)
            return None
        if request.POST.get("confirm") == "yes":
            booked = 0
            for credit in credits:
                try:
                    bank_credit_confirm(credit=credit, actor=request.user, door=Door.ADMIN)
                    booked += 1
                except DomainError as error:
                    self.message_user(request, error.message, messages.ERROR)
            self.message_user(
                request, _("%(count)s Vorschläge bestätigt und verbucht.") % {"count": booked}, messages.SUCCESS
            )
            return None
        context = self._context(
            request,
            _("Vorschläge bestätigen"),
            credits=credits,
            total=format_chf(sum(credit.amount for credit in credits)),
            action="confirm_suggestions",
        )
        return TemplateResponse(request, "admin/payments/bankcredit/confirm.html", context)

    @admin.action(description=gettext_lazy("Einer Rechnung zuordnen …"))
    def assign_to_invoice(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Bitte genau eine Gutschrift wählen."), messages.WARNING)
            return None
        return redirect("admin:payments_bankcredit_assign", queryset.get().pk)

    def assign_view(self, request, object_id):
        if not may_book(request):
            raise PermissionDenied
        credit = get_object_or_404(BankCredit.objects.select_related("bank_file__community", "invoice"), pk=object_id)
        back = redirect(
            reverse("admin:payments_bankcredit_changelist") + f"?bank_file__id__exact={credit.bank_file_id}"
        )
        form = AssignForm(
            request.POST or None, initial={"invoice_number": credit.invoice.display_number if credit.invoice else ""}
        )
        invoice = None
        if form.is_bound and form.is_valid():
            try:
                invoice = invoice_by_number(
                    community_id=credit.bank_file.community_id, number=form.cleaned_data["invoice_number"]
                )
                if request.POST.get("confirm") == "yes":
                    bank_credit_assign(credit=credit, invoice=invoice, actor=request.user, door=Door.ADMIN)
                    self.message_user(
                        request,
                        _("CHF %(amount)s sind auf %(invoice)s verbucht.")
                        % {"amount": format_chf(credit.amount), "invoice": invoice.display_number},
                        messages.SUCCESS,
                    )
                    return back
            except DomainError as error:
                form.add_error("invoice_number", error.message)
                invoice = None
        before = open_amount(invoice) if invoice else None
        context = self._context(
            request,
            _("Gutschrift %(position)s zuordnen") % {"position": credit.position},
            credit=credit,
            form=form,
            invoice=invoice,
            open_before=format_chf(before) if invoice else "",
            open_after=format_chf(before - credit.amount) if invoice else "",
            amount=format_chf(credit.amount),
        )
        return TemplateResponse(request, "admin/payments/bankcredit/assign.html", context)
