"""The sales console: utilities (VNB) with their stage, score, owner and next action, the funnel dashboard at
``/admin/pipeline/``, the drafts and the daily briefings.

Thin doors: stage moves, contacts, next actions, scores and drafts go through ``pipeline.services``. The list
reads with a fixed number of queries, whatever the number of utilities. The dashboard: ``openleg.pipeline_dashboard``.
"""

from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from openleg.admin_mixins import ReadOnlyAdminMixin
from openleg.errors import DomainError
from openleg.formats import swiss_number
from openleg.periods import local_today
from pipeline import selectors, services
from pipeline.forms import ContactForm, NextActionForm, StageMoveForm
from pipeline.models import Municipality, OutreachDraft, PipelineBriefing, PipelineEvent, Stage, Utility
from pipeline.outreach import outreach_fact_rows
from pipeline.stages import Door, stage_targets

FACTOR_LABELS = {
    "population": gettext_lazy("Einwohner"),
    "solar": gettext_lazy("ungenutztes Solarpotenzial"),
    "competition": gettext_lazy("keine LEG-Lösung bekannt"),
    "smart_meters": gettext_lazy("intelligente Messsysteme"),
}


def _figure(value, places: int = 0) -> str:
    return "–" if value is None else swiss_number(Decimal(value), places)


class ScoreBandFilter(admin.SimpleListFilter):
    title = gettext_lazy("Score")
    parameter_name = "score_band"
    BANDS = {"0-39": (0, 39), "40-69": (40, 69), "70-100": (70, 100)}

    def lookups(self, request, model_admin):
        return [*((band, band) for band in self.BANDS), ("none", _("nicht bewertet"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(score__isnull=True)
        if self.value() in self.BANDS:
            low, high = self.BANDS[self.value()]
            return queryset.filter(score__gte=low, score__lte=high)
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    """On the ``is_overdue`` annotation of ``selectors.pipeline_list``: due before today in Zurich."""

    title = gettext_lazy("nächster Schritt überfällig")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("überfällig")), ("no", _("nicht überfällig"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(is_overdue=self.value() == "yes")
        return queryset


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "canton", "bfs", "population_display", "pv_display", "roof_display"]
    list_filter = ["canton"]
    search_fields = ["name", "=bfs_number"]
    fields = ["bfs_number", "name", "canton", "population", "installed_pv_kwp", "roof_potential_mwh"]
    fields += ["market_data_source"]

    @admin.display(description=gettext_lazy("BFS-Nummer"), ordering="bfs_number")
    def bfs(self, obj: Municipality) -> str:
        return str(obj.bfs_number)  # a code: no thousands separator

    @admin.display(description=gettext_lazy("Einwohner"), ordering="population")
    def population_display(self, obj: Municipality) -> str:
        return _figure(obj.population)

    @admin.display(description=gettext_lazy("Photovoltaik (kWp)"), ordering="installed_pv_kwp")
    def pv_display(self, obj: Municipality) -> str:
        return _figure(obj.installed_pv_kwp, 1)

    @admin.display(description=gettext_lazy("Dachpotenzial (MWh/Jahr)"), ordering="roof_potential_mwh")
    def roof_display(self, obj: Municipality) -> str:
        return _figure(obj.roof_potential_mwh, 1)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:  # the market figures feed the score of every utility serving the municipality
            services.utilities_rescore(Utility.objects.filter(municipalities=obj))


class PipelineEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PipelineEvent
    extra = 0
    fields = ["at", "kind", "from_stage", "to_stage", "channel", "summary", "actor", "door"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Verlauf (Phasenwechsel und Kontakte)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class OutreachDraftInline(admin.StackedInline):
    """The text stays as written; a person sends it by hand and marks it, or discards it."""

    model = OutreachDraft
    extra = 0
    can_delete = False
    fields = ["created_at", "created_by", "door", "written_by_agent", "subject", "body_text", "status"]
    readonly_fields = ["created_at", "created_by", "door", "written_by_agent", "subject", "body_text"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("Text"))
    def body_text(self, obj: OutreachDraft) -> str:
        return format_html('<pre style="white-space:pre-wrap;margin:0">{}</pre>', obj.body)


@admin.register(Utility)
class UtilityAdmin(admin.ModelAdmin):
    list_display = ["name", "canton", "stage", "score", "owner", "next_action", "next_action_due", "overdue_flag"]
    list_filter = ["stage", "canton", ("owner", admin.RelatedOnlyFieldListFilter), ScoreBandFilter, OverdueFilter]
    list_select_related = ["owner"]
    ordering = [F("score").desc(nulls_last=True), "name"]
    search_fields = ["name", "short_name", "=vnb_number", "municipalities__name"]
    filter_horizontal = ["municipalities"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # the default of Django 6
    inlines = [PipelineEventInline, OutreachDraftInline]
    actions = ["move_stage", "rescore", "draft_outreach"]
    sales_fields = ["stage", "stage_changed_at", "next_action", "next_action_due", "last_contact_at", "sales_links"]
    score_fields = ["score", "scored_at", "score_explanation"]
    readonly_fields = [*sales_fields, *score_fields, "municipality_figures"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "canton", "vnb_number", "eic", "is_demo"]}),
        (gettext_lazy("Vertrieb"), {"fields": [*sales_fields[:2], "owner", *sales_fields[2:], "notes"]}),
        (gettext_lazy("Score"), {"fields": [*score_fields, "competitor", "smart_meter_share", "grid_usage_rp_kwh"]}),
        (gettext_lazy("Versorgte Gemeinden"), {"fields": ["municipality_figures", "municipalities"]}),
        (gettext_lazy("Kontakt"), {"fields": ["contact_name", "email", "phone", "website"]}),
        (gettext_lazy("Adresse"), {"fields": ["street", "house_number", "postcode", "town", "country"]}),
    ]

    def get_queryset(self, request):
        utilities = selectors.pipeline_list(today=local_today())
        return utilities.order_by(*self.get_ordering(request))

    @admin.display(description=gettext_lazy("überfällig"), boolean=True, ordering="is_overdue")
    def overdue_flag(self, obj: Utility) -> bool:
        return obj.is_overdue

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.utility_rescore(utility=form.instance)  # municipalities, competitor or smart meters may have changed

    # -- the utility's page ----------------------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("Aktionen"))
    def sales_links(self, obj: Utility) -> str:
        if obj.pk is None:
            return "–"
        links = [
            ("stage", _("Phase ändern")),
            ("contact", _("Kontakt erfassen")),
            ("next_action", _("Nächsten Schritt setzen")),
        ]
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            ((reverse(f"admin:pipeline_utility_{name}", args=[obj.pk]), label) for name, label in links),
        )

    @admin.display(description=gettext_lazy("Begründung"))
    def score_explanation(self, obj: Utility) -> str:
        parts = obj.score_breakdown.get("parts", {})
        if not parts:
            return _("Noch nicht bewertet.")
        rows = (
            (FACTOR_LABELS.get(name, name), _figure(part["points"], 1), part["weight"], part["explanation"])
            for name, part in parts.items()
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("Faktor"),
            _("Punkte"),
            _("Begründung"),
            format_html_join("", "<tr><td>{}</td><td>{} / {}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description=gettext_lazy("Marktdaten"))
    def municipality_figures(self, obj: Utility) -> str:
        municipalities = list(obj.municipalities.order_by("name")) if obj.pk else []
        if not municipalities:
            return _("Keine Gemeinden erfasst.")
        rows = (
            (
                m.name,
                m.bfs_number,
                _figure(m.population),
                _figure(m.installed_pv_kwp, 1),
                _figure(m.roof_potential_mwh, 1),
                m.market_data_source,
            )
            for m in municipalities
        )
        headers = (
            _("Gemeinde"),
            _("BFS-Nr."),
            _("Einwohner"),
            _("Photovoltaik (kWp)"),
            _("Dachpotenzial (MWh/Jahr)"),
            _("Quelle"),
        )
        return format_html(
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<th>{}</th>", ((header,) for header in headers)),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    # -- actions on the list ---------------------------------------------------------------------------------------

    @admin.action(description=gettext_lazy("Phase ändern …"), permissions=["change"])
    def move_stage(self, request, queryset):
        form = StageMoveForm(request.POST if "apply" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Phase ändern"),
                "form": form,
                "utilities": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/pipeline/utility/move_stage.html", context)
        moved = 0
        for utility in queryset:
            try:
                services.utility_stage_move(
                    utility=utility,
                    to_stage=form.cleaned_data["to_stage"],
                    actor=request.user,
                    door=Door.ADMIN,
                    note=form.cleaned_data["note"],
                )
            except DomainError as refused:
                self.message_user(request, f"{utility}: {refused.message}", messages.ERROR)
            else:
                moved += 1
        if moved:
            label = Stage(form.cleaned_data["to_stage"]).label
            self.message_user(
                request,
                ngettext(
                    "%(count)s Netzbetreiber nach «%(stage)s» verschoben.",
                    "%(count)s Netzbetreiber nach «%(stage)s» verschoben.",
                    moved,
                )
                % {"count": moved, "stage": label},
                messages.SUCCESS,
            )
        return None

    @admin.action(description=gettext_lazy("Score neu berechnen"), permissions=["change"])
    def rescore(self, request, queryset):
        count = services.utilities_rescore(queryset)
        self.message_user(request, _("%(count)s Netzbetreiber neu bewertet.") % {"count": count}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Entwurf Kontaktaufnahme erstellen"), permissions=["change"])
    def draft_outreach(self, request, queryset):
        drafted = 0
        for utility in queryset.select_related("owner"):
            try:
                services.outreach_draft_create(utility=utility, actor=request.user, door=Door.ADMIN)
            except DomainError as refused:
                self.message_user(request, f"{utility}: {refused.message}", messages.ERROR)
            else:
                drafted += 1
        self.message_user(
            request,
            _("%(count)s Entwürfe erstellt; sie werden erst versandt, wenn jemand sie von Hand schickt.")
            % {"count": drafted},
            messages.SUCCESS,
        )

    # -- a utility's own small forms -------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("<int:object_id>/stage/", view(self.stage_view), name="pipeline_utility_stage"),
            path("<int:object_id>/contact/", view(self.contact_view), name="pipeline_utility_contact"),
            path("<int:object_id>/next-action/", view(self.next_action_view), name="pipeline_utility_next_action"),
        ]
        return own + super().get_urls()

    def _form_page(self, request, object_id, *, title: str, make_form, apply):
        """GET shows ``make_form``; a valid POST calls ``apply`` (a service) and returns to the utility's page.
        A refusal is shown above the form and changes nothing."""
        utility = get_object_or_404(Utility.objects.select_related("owner"), pk=object_id)
        if not self.has_change_permission(request, utility):
            raise PermissionDenied
        form = make_form(utility, request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                message = apply(utility, form.cleaned_data)
            except DomainError as refused:
                self.message_user(request, refused.message, messages.ERROR)
            else:
                self.message_user(request, message, messages.SUCCESS)
                return redirect("admin:pipeline_utility_change", utility.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": utility,
            "title": f"{title}: {utility}",
            "step": title,
            "form": form,
        }
        return TemplateResponse(request, "admin/pipeline/utility/form.html", context)

    def stage_view(self, request, object_id):
        def apply(utility, data):
            services.utility_stage_move(
                utility=utility, to_stage=data["to_stage"], actor=request.user, door=Door.ADMIN, note=data["note"]
            )
            return _("Phase: %(stage)s.") % {"stage": Stage(utility.stage).label}

        return self._form_page(
            request,
            object_id,
            title=_("Phase ändern"),
            make_form=lambda utility, data: StageMoveForm(data, targets=stage_targets(utility.stage, door=Door.ADMIN)),
            apply=apply,
        )

    def contact_view(self, request, object_id):
        def apply(utility, data):
            services.utility_contact_record(
                utility=utility,
                channel=data["channel"],
                summary=data["summary"],
                at=data["at"],
                actor=request.user,
                door=Door.ADMIN,
            )
            return _("Kontakt erfasst.")

        return self._form_page(
            request, object_id, title=_("Kontakt erfassen"), make_form=lambda _u, data: ContactForm(data), apply=apply
        )

    def next_action_view(self, request, object_id):
        def apply(utility, data):
            services.utility_next_action_set(
                utility=utility, action=data["action"], due=data["due"], actor=request.user, door=Door.ADMIN
            )
            return _("Nächster Schritt gespeichert.")

        return self._form_page(
            request,
            object_id,
            title=_("Nächsten Schritt setzen"),
            make_form=lambda utility, data: NextActionForm(
                data, initial={"action": utility.next_action, "due": utility.next_action_due}
            ),
            apply=apply,
        )


@admin.register(OutreachDraft)
class OutreachDraftAdmin(admin.ModelAdmin):
    """Every draft in one list, to work through: the text is read-only, the status says what became of it."""

    list_display = ["subject", "utility", "status", "created_at", "created_by", "door", "written_by_agent"]
    list_filter = ["status", "template", "written_by_agent", "utility__canton"]
    list_select_related = ["utility", "created_by"]
    search_fields = ["utility__name", "subject"]
    fields = [
        "utility",
        "template",
        "subject",
        "body",
        "fact_table",
        "status",
        "created_at",
        "created_by",
        "door",
        "revision_of",
        "written_by_agent",
    ]
    readonly_fields = [name for name in fields if name != "status"]

    @admin.display(description=gettext_lazy("verwendete Fakten"))
    def fact_table(self, obj: OutreachDraft) -> str:
        return render_to_string("admin/includes/label_value_table.html", {"rows": outreach_fact_rows(obj.facts)})

    def has_add_permission(self, request):
        return False  # drafts come from the services (action on the utilities, the weekly job, the agent)


@admin.register(PipelineBriefing)
class PipelineBriefingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "created_at"]
    fields = ["day", "created_at", "text"]  # the figures behind the text are for the agent API, not for reading
    readonly_fields = fields
