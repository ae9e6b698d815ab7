"""Staff console: each utility's subscription with its plan, status, MRR and grace period, and its Stripe events."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from openleg.formats import format_chf, format_day, format_moment
from subscriptions.gate import grace_end
from subscriptions.models import UtilitySubscription
from subscriptions.plans import PLANS
from subscriptions.revenue import monthly_chf, subscription_events

EVENTS_SHOWN = 50


@admin.register(UtilitySubscription)
class UtilitySubscriptionAdmin(admin.ModelAdmin):
    list_display = ("utility", "plan", "status", "mrr", "current_period_end", "grace_until", "api_tier")
    list_filter = ("status", "plan_key", "api_tier")
    list_select_related = ("utility",)
    search_fields = ("utility__name", "utility__short_name", "stripe_subscription_id")
    ordering = ("utility__name",)
    readonly_fields = [field.name for field in UtilitySubscription._meta.fields] + ["mrr", "grace_until", "events"]

    def has_add_permission(self, request):
        return False  # written by Stripe's webhooks only

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Plan"), ordering="plan_key")
    def plan(self, record):
        plan = PLANS.get(record.plan_key)
        return plan.name if plan else record.plan_key or "–"

    @admin.display(description=_("MRR (CHF)"))
    def mrr(self, record):
        return format_chf(monthly_chf(record))

    @admin.display(description=_("Schonfrist bis"))
    def grace_until(self, record):
        end = grace_end(record)
        return format_day(end) if end else "–"

    @admin.display(description=_("Stripe-Ereignisse"))
    def events(self, record):
        """The events received for this utility's customer and subscription, newest first, each linked read-only."""
        received = subscription_events(record)[:EVENTS_SHOWN]
        if not received:
            return "–"
        return format_html_join(
            format_html("<br>"),
            '<a href="{}">{} · {}</a>',
            (
                (
                    reverse("admin:djstripe_event_change", args=[event.id]),
                    format_moment(event.created),
                    event.type,
                )
                for event in received
            ),
        )
