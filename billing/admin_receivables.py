"""What the invoice pages show of the receivables ledger: open amount, payment state, the settlements."""


from django.contrib import admin
from django.utils.translation import gettext_lazy

from billing.models import Settlement
from billing.receivables import STATE_LABELS, state_of, with_open_amounts
from openleg.admin_mixins import ReadOnlyAdminMixin
from openleg.formats import format_chf


class SettlementInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Settlement
    fk_name = "invoice"
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("Ausgleichsbuchungen (Zahlungen, Auszahlungen, Überträge, Gebühren)")
    fields = ["booked_on", "kind", "amount", "counterpart", "note", "door", "created_by", "created_at"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("Betrag (CHF)"))
    def amount(self, obj: Settlement) -> str:
        return format_chf(obj.amount_chf)


class PaymentStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("Zahlungsstand")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [
            ("owed", gettext_lazy("offen oder teilweise bezahlt")),
            ("credit", gettext_lazy("Guthaben offen")),
            ("settled", gettext_lazy("ausgeglichen")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "owed":
            return queryset.filter(open_chf__gt=0)
        if value == "credit":
            return queryset.filter(open_chf__lt=0)
        if value == "settled":
            return queryset.filter(open_chf=0)
        return queryset


class ReceivablesAdminMixin:
    """Adds the open amount (one aggregate in the list query) and the payment state to an invoice admin."""

    def get_queryset(self, request):
        return with_open_amounts(super().get_queryset(request))

    @admin.display(description=gettext_lazy("offen (CHF)"), ordering="open_chf")
    def open_display(self, obj) -> str:
        return format_chf(obj.open_chf)

    @admin.display(description=gettext_lazy("Zahlungsstand"))
    def state_display(self, obj) -> str:
        return str(STATE_LABELS[state_of(obj)])
