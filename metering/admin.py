"""Staff console for meter data: upload with a preview of what will change, then apply."""

from datetime import UTC, datetime, time, timedelta

import numpy as np
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Community, Door
from metering import csv_mappings as services_csv
from metering import selectors, services
from metering.analysis import UNCONFIRMED_MAPPING
from metering.charts import coverage_calendar_svg, day_profile_svg, parse_day
from metering.daybuckets import from_bytes, sources_from_bytes
from metering.forms import MappingConfirmForm, MeterApplyForm, MeterUploadForm, mapping_rows
from metering.mapping_step import mapping_step
from metering.models import (
    AggregateDaySeries,
    CsvMapping,
    DaySeries,
    MeterFormat,
    MeterImport,
    MeteringPointData,
    PlausibilityNote,
    labelled,
    series_label,
)
from metering.tasks import apply_meter_import
from openleg.admin_display import short_column
from openleg.admin_mixins import ReadOnlyAdminMixin
from openleg.formats import format_kwh_of_mwh, format_span
from openleg.periods import utc_now
from openleg.storage import StorageFull

POINT_COLUMN = short_column("metering_point__mp_id", gettext_lazy("Messpunkt"), kind="id")
IMPORT_COLUMN = short_column("last_import__filename", gettext_lazy("Zuletzt geändert durch"), kind="file")
NOTE_IMPORT_COLUMN = short_column("meter_import__filename", gettext_lazy("Import"), kind="file")


@admin.register(MeterImport)
class MeterImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        short_column("filename", gettext_lazy("Dateiname"), kind="file"),
        "format",
        "status",
        "actor",
        "slots_new",
        "slots_changed",
        "slots_superseded",
    ]  # the document's time, the door and the unchanged count are on the import's page
    list_filter = ["status", "format", "door"]
    list_select_related = ["actor"]
    search_fields = ["filename", "sha256", "document_id"]
    date_hierarchy = "created_at"
    # the stored series and findings are shown as tables and lists, never as their JSON
    fields = [
        field.name for field in MeterImport._meta.fields if field.name not in ("id", "series", "problems", "warnings")
    ] + ["series_table", "problems_list", "warnings_list"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("Reihen"))
    def series_table(self, obj: MeterImport) -> str:
        return render_to_string("admin/metering/includes/series_table.html", {"series": labelled(obj.series)})

    @admin.display(description=gettext_lazy("Fehler"))
    def problems_list(self, obj: MeterImport) -> str:
        return render_to_string("admin/metering/includes/findings.html", {"findings": obj.problems, "errors": True})

    @admin.display(description=gettext_lazy("Hinweise"))
    def warnings_list(self, obj: MeterImport) -> str:
        return render_to_string("admin/metering/includes/findings.html", {"findings": obj.warnings})

    change_list_template = "admin/metering/meterimport/change_list.html"

    def get_urls(self):
        own = [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="metering_meterimport_upload"),
            path(
                "<int:pk>/preview/", self.admin_site.admin_view(self.preview_view), name="metering_meterimport_preview"
            ),
        ]
        return own + super().get_urls()

    def upload_view(self, request):
        form = MeterUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            oversize = services.too_large(upload.size, upload.name)
            if oversize is not None:
                self.message_user(request, oversize.message, messages.ERROR)
                return redirect("admin:metering_meterimport_upload")
            try:
                meter_import = services.meter_import_stage(
                    data=upload.read(),
                    filename=upload.name,
                    actor=request.user,
                    door=Door.ADMIN,
                    metering_point=form.cleaned_data["metering_point"],
                    utility=form.cleaned_data["utility"],
                )
            except StorageFull as error:
                self.message_user(request, f"{upload.name}: {error.message}", messages.ERROR)
                return redirect("admin:metering_meterimport_upload")
            return redirect("admin:metering_meterimport_preview", pk=meter_import.pk)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": _("Messdaten hochladen"),
        }
        return TemplateResponse(request, "admin/metering/meterimport/upload.html", context)

    def preview_view(self, request, pk: int):
        meter_import = get_object_or_404(MeterImport, pk=pk)
        if not meter_import.file:  # rejected, its bytes not kept: there is nothing to preview
            return redirect("admin:metering_meterimport_change", meter_import.pk)
        is_post = request.method == "POST"
        # a mapping is previewed with the columns chosen ("preview_mapping") until it is confirmed
        mapping_post = is_post and ("confirm_mapping" in request.POST or "preview_mapping" in request.POST)
        if mapping_post and "confirm_mapping" in request.POST:
            mapping_form, _preview, data = self._mapping_step(meter_import, request.POST)
            return self._confirm_mapping(request, meter_import, mapping_form, data)
        form = MeterApplyForm(request.POST if is_post else None)
        if is_post and not mapping_post and meter_import.status == MeterImport.Status.PREVIEW and form.is_valid():
            return self._apply(request, meter_import, form.cleaned_data["create_unknown"])
        analysis = services.meter_import_preview(meter_import=meter_import)
        mapping_form = columns_preview = None
        if any(finding.code == UNCONFIRMED_MAPPING for finding in analysis.errors):
            mapping_form, columns_preview, _data = self._mapping_step(
                meter_import, request.POST if mapping_post else None
            )
        unknown = analysis.unknown_points
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "meter_import": meter_import,
            "analysis": analysis,
            "series": labelled([plan.summary() for plan in analysis.plans]),
            "format_label": dict(MeterFormat.choices).get(analysis.format, analysis.format),
            "unknown": unknown,
            "form": form,
            "mapping_form": mapping_form,
            "columns_preview": columns_preview,
            "title": _("Vorschau: %(file)s") % {"file": meter_import.filename},
            "can_apply": meter_import.status == MeterImport.Status.PREVIEW
            and (not analysis.errors or analysis.applicable_once_points_exist),
        }
        return TemplateResponse(request, "admin/metering/meterimport/preview.html", context)

    def _mapping_step(self, meter_import: MeterImport, data=None):
        initial = {"utility": meter_import.utility, "name": meter_import.filename}
        return mapping_step(meter_import, data, initial=initial)

    def _confirm_mapping(self, request, meter_import: MeterImport, mapping_form: MappingConfirmForm, data: bytes):
        if mapping_form.is_valid():
            try:
                services_csv.csv_mapping_confirm(
                    utility=mapping_form.cleaned_data["utility"],
                    data=data,
                    name=mapping_form.cleaned_data["name"],
                    mapping=mapping_form.mapping(),
                    actor=request.user,
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                meter_import.utility = mapping_form.cleaned_data["utility"]
                meter_import.save(update_fields=["utility"])
                self.message_user(request, _("Spaltenzuordnung gespeichert."))
        else:
            errors = " ".join(error for field_errors in mapping_form.errors.values() for error in field_errors)
            self.message_user(request, errors, messages.ERROR)
        return redirect("admin:metering_meterimport_preview", pk=meter_import.pk)

    def _apply(self, request, meter_import: MeterImport, create_unknown: bool):
        if create_unknown:
            analysis = services.meter_import_preview(meter_import=meter_import)
            unknown = analysis.unknown_points
            try:
                created = services.metering_points_create_unknown(mp_ids=unknown, actor=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return redirect("admin:metering_meterimport_preview", pk=meter_import.pk)
            self.message_user(request, _("%(count)s Messpunkte angelegt.") % {"count": len(created)})
        if meter_import.size > settings.METER_IMPORT_ASYNC_BYTES:
            transaction.on_commit(lambda: apply_meter_import.delay(meter_import.pk))
            self.message_user(request, _("Die Datei wird im Hintergrund übernommen."))
            return redirect(reverse("admin:metering_meterimport_changelist"))
        outcome = services.meter_import_apply(meter_import=meter_import)
        if outcome.ok:
            self.message_user(
                request,
                _("%(file)s: %(status)s.")
                % {"file": outcome.filename, "status": outcome.meter_import.get_status_display()},
            )
        else:
            self.message_user(request, " ".join(f.message for f in outcome.errors), messages.ERROR)
        return redirect(reverse("admin:metering_meterimport_change", args=[meter_import.pk]))


@admin.register(DaySeries)
class DaySeriesAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [POINT_COLUMN, "direction", "channel", "day", "local_hours", IMPORT_COLUMN, "updated_at"]
    list_filter = ["direction", "channel", "day"]
    list_select_related = ["metering_point", "last_import"]
    search_fields = ["metering_point__mp_id"]
    readonly_fields = [
        "metering_point",
        "direction",
        "channel",
        "day",
        "local_hours",
        "last_import",
        "updated_at",
        "kwh",
        "source_imports",
    ]
    exclude = ["values", "quality", "sources"]

    @admin.display(description=gettext_lazy("kWh (Tag UTC)"))
    def kwh(self, obj):
        values, _quality = from_bytes(obj.values, obj.quality)
        return format_kwh_of_mwh(values.sum())

    @admin.display(description=gettext_lazy("Schweizer Zeit"), ordering="day")
    def local_hours(self, obj):
        """The stored day is a UTC day: say which local hours it covers (01.03.2026 01:00 – 02.03.2026 01:00)."""
        start = datetime.combine(obj.day, time(0), tzinfo=UTC)
        return format_span(start, start + timedelta(days=1))

    @admin.display(description=gettext_lazy("Herkunft (Import: Viertelstunden)"))
    def source_imports(self, obj):
        ids, counts = np.unique(sources_from_bytes(obj.sources, obj.quality), return_counts=True)
        return ", ".join(f"#{pk}: {count}" for pk, count in zip(ids.tolist(), counts.tolist(), strict=True) if pk)


@admin.register(AggregateDaySeries)
class AggregateDaySeriesAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["community_ref", "community", "direction", "channel", "day", "updated_at"]
    list_filter = ["direction", "channel"]
    exclude = ["values", "quality", "sources"]


@admin.register(PlausibilityNote)
class PlausibilityNoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [POINT_COLUMN, "day", "direction", "kind", "largest_mwh", "limit_mwh", NOTE_IMPORT_COLUMN]
    list_filter = ["kind", "direction"]
    list_select_related = ["metering_point", "meter_import"]
    search_fields = ["metering_point__mp_id"]
    date_hierarchy = "day"


@admin.register(CsvMapping)
class CsvMappingAdmin(admin.ModelAdmin):
    list_display = ["name", "utility", "signature", "confirmed_by", "confirmed_at"]
    list_filter = ["utility"]
    list_select_related = ["utility", "confirmed_by"]
    # the mapping is confirmed from a file's preview (drop-downs of its columns); here it is read as a table
    fields = ["name", "utility", "signature", "mapping_table", "confirmed_by", "confirmed_at"]
    readonly_fields = ["signature", "mapping_table", "confirmed_by", "confirmed_at"]

    @admin.display(description=gettext_lazy("Spaltenzuordnung"))
    def mapping_table(self, obj: CsvMapping) -> str:
        return render_to_string("admin/includes/label_value_table.html", {"rows": mapping_rows(obj.mapping)})

    def has_add_permission(self, request):
        return False  # a mapping needs a sample file: it is confirmed from the preview of an uploaded file


class CommunityFilter(admin.SimpleListFilter):
    """The points that are or were members of a community (the community page links here)."""

    title = gettext_lazy("Gemeinschaft")
    parameter_name = "community"

    def lookups(self, request, model_admin):
        return [(community.pk, community.name) for community in Community.objects.order_by("name")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(memberships__participant__community_id=self.value()).distinct()


@admin.register(MeteringPointData)
class MeteringPointDataAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A metering point's daily profile as a chart and its month as a coverage calendar."""

    list_display = [short_column("mp_id", gettext_lazy("Messpunkt-ID"), kind="id"), "utility", "site"]
    list_select_related = ["utility"]
    search_fields = ["mp_id", "site"]
    list_filter = [CommunityFilter, "utility"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff

    def change_view(self, request, object_id, form_url="", extra_context=None):
        point = get_object_or_404(MeteringPointData, pk=object_id)
        latest = selectors.latest_day_with_data(metering_point_id=point.pk) or utc_now().date()
        day = parse_day(request.GET.get("day"), latest)
        profile = selectors.day_profile(metering_point_id=point.pk, day=day)
        series_labels = {(d, c): series_label(d, c) for d, c in profile}
        statuses = selectors.coverage(metering_point_id=point.pk, year=day.year, month=day.month)
        status_labels = {
            "complete": _("vollständig"),
            "provisional": _("provisorisch"),
            "incomplete": _("unvollständig"),
            "missing": _("fehlt"),
        }
        totals = [
            (series_labels[key], format_kwh_of_mwh(series.values.sum())) for key, series in sorted(profile.items())
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": point,
            "title": _("Messdaten %(mp)s") % {"mp": point.mp_id},
            "day": day,
            "totals": totals,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "profile_svg": mark_safe(day_profile_svg(day, {k: s.values for k, s in profile.items()}, series_labels)),
            "calendar_svg": mark_safe(
                coverage_calendar_svg(day.year, day.month, statuses, status_labels, link="?day={day}")
            ),
        }
        return TemplateResponse(request, "admin/metering/meteringpointdata/profile.html", context)
