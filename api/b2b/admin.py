"""The staff console of the B2B API: clients with their keys inline (a new key made here, its secret shown once in
the message), keys revoked by a list action, and each client's usage of the last 30 days with a chart. Thin:
creating and revoking go through ``api.b2b.keys``, the figures through ``api.b2b.usage``."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from api.admin_actions import revoke_selected
from api.b2b.charts import calls_per_day_svg
from api.b2b.keys import KeyRefused, api_client_check, api_key_create, api_key_revoke
from api.b2b.registry import ENDPOINTS
from api.b2b.tiers import effective_tier
from api.b2b.usage import calls_per_day, totals_per_endpoint
from api.models import ApiClient, ApiKey
from openleg.formats import swiss_number
from openleg.periods import local_today
from pipeline.cantons import Canton

USAGE_DAYS = 30


class ApiClientForm(forms.ModelForm):
    allowed_cantons = forms.MultipleChoiceField(
        label=gettext_lazy("erlaubte Kantone"), choices=Canton.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=gettext_lazy("Keiner gewählt: alle Kantone."),
    )
    endpoints = forms.MultipleChoiceField(
        label=gettext_lazy("Endpunkte (Enterprise)"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Nur für die Stufe Enterprise: die freigegebenen Endpunkte; keiner gewählt: alle."),
    )

    class Meta:
        model = ApiClient
        fields = [
            "company", "contact_name", "contact_email", "tier", "utility", "allowed_cantons", "hourly_limit",
            "daily_limit", "endpoints", "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["endpoints"].choices = [(name, name) for name in sorted(ENDPOINTS)]

    def clean(self):
        cleaned = super().clean()
        limits = {name: cleaned[name] for name in ("hourly_limit", "daily_limit") if cleaned.get(name) is not None}
        try:
            api_client_check(
                tier=cleaned.get("tier", ""),
                allowed_cantons=cleaned.get("allowed_cantons", []),
                limits=limits,
                utility=cleaned.get("utility"),
                client_pk=self.instance.pk,
            )
        except KeyRefused as refused:
            self.add_error(refused.field, refused.message)
        cleaned["allowed_cantons"] = sorted(cleaned.get("allowed_cantons", []))
        return cleaned


class ApiKeyInline(admin.TabularInline):
    """The client's keys; a new row (only its name) becomes a key with a secret shown once."""

    model = ApiKey
    fields = ["name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    extra = 0
    can_delete = False  # the usage record keeps its keys: revoke instead
    verbose_name = gettext_lazy("API-Schlüssel")
    verbose_name_plural = gettext_lazy("API-Schlüssel (neue Zeile: neuer Schlüssel, das Geheimnis erscheint einmal)")


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    inlines = [ApiKeyInline]
    list_display = ["company", "tier", "tier_in_use", "utility", "canton_list", "hourly_limit", "daily_limit", "active"]
    list_select_related = ["utility__subscription"]
    list_filter = ["tier", "active", ("utility", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["company", "contact_name", "contact_email", "keys__prefix"]
    readonly_fields = ["usage_link", "created_at"]

    @admin.display(description=gettext_lazy("Stufe in Kraft"))
    def tier_in_use(self, obj: ApiClient) -> str:
        return effective_tier(obj)

    @admin.display(description=gettext_lazy("erlaubte Kantone"))
    def canton_list(self, obj: ApiClient) -> str:
        return ", ".join(obj.allowed_cantons) or _("alle")

    @admin.display(description=gettext_lazy("Nutzung"))
    def usage_link(self, obj: ApiClient) -> str:
        if obj.pk is None:
            return "–"
        url = reverse("admin:api_apiclient_usage", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Nutzung der letzten 30 Tage"))

    def save_formset(self, request, form, formset, change):
        if formset.model is not ApiKey:
            return super().save_formset(request, form, formset, change)
        for key in formset.save(commit=False):
            if key.pk is not None:
                key.save(update_fields=["name"])
                continue
            new = api_key_create(client=form.instance, name=key.name, created_by=request.user)
            self.message_user(
                request,
                _("Der API-Schlüssel «%(name)s» wird nur jetzt angezeigt, bitte sicher ablegen: %(secret)s")
                % {"name": new.key.name, "secret": new.secret},
                messages.WARNING,
            )
        return None

    def get_urls(self):
        view = self.admin_site.admin_view(self.usage_view)
        return [path("<int:object_id>/usage/", view, name="api_apiclient_usage"), *super().get_urls()]

    def usage_view(self, request, object_id: int):
        client = get_object_or_404(ApiClient, pk=object_id)
        if not self.has_view_permission(request, client):
            raise PermissionDenied
        today = local_today()
        days = calls_per_day(client, last_day=today, days=USAGE_DAYS)
        totals = totals_per_endpoint(client, last_day=today, days=USAGE_DAYS)
        title = _("Nutzung von %(company)s") % {"company": client.company}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "client": client,
            "chart_svg": mark_safe(calls_per_day_svg(days, _("Aufrufe pro Tag, letzte 30 Tage"))),
            "first_day": days[0].day,
            "last_day": today,
            "totals": [
                {"endpoint": row.endpoint, "calls": swiss_number(row.calls, 0), "denied": swiss_number(row.denied, 0)}
                for row in totals
            ],
            "sum_calls": swiss_number(sum(row.calls for row in totals), 0),
            "sum_denied": swiss_number(sum(row.denied for row in totals), 0),
        }
        return TemplateResponse(request, "admin/api/apiclient/usage.html", context)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "client", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["client"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), ("client", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["prefix", "name", "client__company"]
    fields = ["name", "client", "prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    readonly_fields = ["client", "prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # keys are made on their client's page, where the secret can be shown once

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Ausgewählte Schlüssel widerrufen"))
    def revoke(self, request, queryset):
        revoke_selected(
            self,
            request,
            queryset,
            revoke=api_key_revoke,
            counted=lambda count: ngettext(
                "%(count)s Schlüssel widerrufen.", "%(count)s Schlüssel widerrufen.", count
            )
            % {"count": count},
        )
