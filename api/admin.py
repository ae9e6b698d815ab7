"""The staff console of the agent API: tokens (made here, the secret shown once; revoked by an action), and the
read-only record of every agent call and background job. Thin: creating and revoking go through ``api.tokens``."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api.admin_actions import revoke_selected
from api.models import AgentCall, AgentJob, AgentToken
from api.scopes import Scope
from api.tokens import TokenRefused, agent_token_check, agent_token_create, agent_token_revoke, expiry_after
from openleg.admin_mixins import ReadOnlyAdminMixin
from pipeline.models import Utility


def scope_labels(scopes: list[str]) -> str:
    labels = dict(Scope.choices)
    return ", ".join(str(labels.get(scope, scope)) for scope in scopes) or "–"


def plain_values(values: dict | list) -> str:
    """Arguments and results as lines a person reads ("community: 12"), not as JSON."""
    if isinstance(values, list):
        return ", ".join(str(value) for value in values) or "–"
    return format_html_join("\n", "{}: {}<br>", ((name, value) for name, value in values.items())) or "–"


class AgentTokenCreateForm(forms.ModelForm):
    """A new token: the rules of ``api.tokens`` checked here too, so that a refusal shows at its field."""

    scopes = forms.MultipleChoiceField(
        label=_("Berechtigungen"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    utility = forms.ModelChoiceField(
        label=_("Netzbetreiber"), queryset=Utility.objects.order_by("name"), required=False,
        help_text=_("Leer: Staff-Token (alle Netzbetreiber, Pipeline möglich)."),
    )
    valid_until = forms.DateField(
        label=_("gültig bis (einschliesslich)"), required=False,
        help_text=_("Leer: unbefristet. Das Token läuft am Ende dieses Tages (Zürcher Zeit) ab."),
    )

    class Meta:
        model = AgentToken
        fields = ["name", "scopes", "utility", "valid_until", "daily_budget"]

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("valid_until")
        cleaned["expires_at"] = expiry_after(day) if day else None
        if "scopes" in cleaned:
            try:
                agent_token_check(
                    scopes=cleaned["scopes"], utility=cleaned.get("utility"), expires_at=cleaned["expires_at"]
                )
            except TokenRefused as refused:
                self.add_error("valid_until" if refused.field == "expires_at" else refused.field, refused.message)
        return cleaned


@admin.register(AgentToken)
class AgentTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "scope_list", "utility", "expires_at", "last_used_at", "revoked_at"]
    list_select_related = ["utility"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), ("utility", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "prefix"]
    actions = ["revoke"]
    readonly_fields = [
        "prefix", "scope_list", "utility", "expires_at", "last_used_at", "revoked_at", "created_by", "created_at"
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return AgentTokenCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "scopes", "utility", "valid_until", "daily_budget"]
        return ["name", "daily_budget", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    @admin.display(description=_("Berechtigungen"))
    def scope_list(self, obj: AgentToken) -> str:
        return scope_labels(obj.scopes)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        new = agent_token_create(
            name=data["name"], scopes=data["scopes"], utility=data["utility"], expires_at=data["expires_at"],
            daily_budget=data["daily_budget"], created_by=request.user,
        )
        obj.pk = new.token.pk
        obj.refresh_from_db()
        self.message_user(
            request,
            _("Das Geheimnis des Tokens «%(name)s» wird nur jetzt angezeigt, bitte sicher ablegen: %(secret)s")
            % {"name": new.token.name, "secret": new.secret},
            messages.WARNING,
        )

    @admin.action(description=_("Ausgewählte Tokens widerrufen"))
    def revoke(self, request, queryset):
        revoke_selected(
            self,
            request,
            queryset,
            revoke=agent_token_revoke,
            counted=lambda count: ngettext(
                "%(count)s Token widerrufen.", "%(count)s Tokens widerrufen.", count
            )
            % {"count": count},
        )

    def has_delete_permission(self, request, obj=None):
        return False  # the record of calls keeps its token: revoke instead


@admin.register(AgentCall)
class AgentCallAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "tool", "transport", "status", "error_code", "token", "duration_ms"]
    list_select_related = ["token"]
    list_filter = ["tool", "transport", "status", ("token", admin.RelatedOnlyFieldListFilter), "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["tool", "error_code", "token__name", "token__prefix"]
    fields = [
        "created_at", "tool", "transport", "token", "argument_lines", "status", "error_code", "duration_ms",
        "touched_list",
    ]
    readonly_fields = fields

    @admin.display(description=_("Argumente"))
    def argument_lines(self, obj: AgentCall) -> str:
        return plain_values(obj.arguments)

    @admin.display(description=_("betroffene Objekte"))
    def touched_list(self, obj: AgentCall) -> str:
        return plain_values(obj.touched)


@admin.register(AgentJob)
class AgentJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "tool", "state", "token", "finished_at"]
    list_select_related = ["token"]
    list_filter = ["tool", "state", "created_at"]
    fields = ["id", "created_at", "tool", "token", "argument_lines", "state", "result_lines", "error_lines",
              "finished_at"]
    readonly_fields = fields

    @admin.display(description=_("Argumente"))
    def argument_lines(self, obj: AgentJob) -> str:
        return plain_values(obj.arguments)

    @admin.display(description=_("Ergebnis"))
    def result_lines(self, obj: AgentJob) -> str:
        return plain_values(obj.result or {})

    @admin.display(description=_("Fehler"))
    def error_lines(self, obj: AgentJob) -> str:
        return plain_values(obj.error or {})

from api.b2b import admin as b2b_admin  # noqa: E402, F401  (the B2B clients and keys: same app, own module)
