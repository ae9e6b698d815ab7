"""The debits of a bank file on its page: the payout transfer each one confirmed, or why it confirmed none."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from openleg.admin_mixins import ReadOnlyAdminMixin
from openleg.formats import format_chf
from payments.models import BankDebit


class DebitInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The debits of a file: the payout transfer each confirmed, or why it confirmed none."""

    model = BankDebit
    fk_name = "bank_file"
    verbose_name_plural = gettext_lazy("Belastungen")
    fields = ("position", "booked_on", "end_to_end_id", "amount_display", "status", "payout_display", "reason")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payout__batch")

    @admin.display(description=gettext_lazy("Betrag"))
    def amount_display(self, obj: BankDebit) -> str:
        return f"{obj.currency} {format_chf(obj.amount)}"

    @admin.display(description=gettext_lazy("Überweisung"))
    def payout_display(self, obj: BankDebit) -> str:
        return payout_link(obj.payout)


def payout_link(payout) -> str:
    if payout is None:
        return "–"
    return format_html(
        '<a href="{}">{}</a> ({}, CHF {})',
        reverse("admin:payments_payoutbatch_change", args=[payout.batch_id]),
        payout.batch.message_id,
        payout.creditor_name,
        format_chf(payout.amount_chf),
    )
