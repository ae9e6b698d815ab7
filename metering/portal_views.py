"""Portal pages for meter data: upload (one or more files), the preview of each, apply (at once, or by a task for
large files, with its state shown), the utility's import history and a community's coverage calendar.

Thin doors: imports come through the scoped selector (another utility's import is 'not found'), every write is a
service of ``metering.services``; what a file would change is the importer's own analysis.
"""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.portal_roles import PortalAction, portal_action_required
from communities import selectors as community_selectors
from communities.models import Door
from communities.portal.lookups import community_for, found
from metering import exports as meter_exports
from metering import selectors, services
from metering.analysis import UNCONFIRMED_MAPPING
from metering.coverage import community_coverage
from metering.coverage_grid import day_headers, grid_rows, legend
from metering.csv_mappings import csv_mapping_confirm
from metering.mapping_step import mapping_step
from metering.messages import Finding
from metering.models import MeterFormat, MeterImport, labelled
from metering.portal_forms import MeterFilesForm, PortalMappingConfirmForm
from metering.tasks import apply_meter_import
from openleg.periods import local_today
from openleg.spreadsheets import spreadsheet_response
from openleg.storage import StorageFull
from subscriptions.gate import new_work_refused

HISTORY_PAGE_SIZE = 25
_RUNNING = (MeterImport.RunState.QUEUED, MeterImport.RunState.RUNNING)


def import_state(meter_import: MeterImport) -> tuple[str, str]:
    """(German state, css class) of an import as the desk follows it: a preview, waiting, running, failed, or what
    applying it did."""
    if meter_import.status != MeterImport.Status.PREVIEW:
        good = meter_import.status in (MeterImport.Status.APPLIED, MeterImport.Status.UNCHANGED)
        css = "good" if good else "bad" if meter_import.status == MeterImport.Status.REJECTED else "warn"
        return meter_import.get_status_display(), css
    if meter_import.run_state in _RUNNING:
        return meter_import.get_run_state_display(), "warn"
    if meter_import.run_state == MeterImport.RunState.FAILED:
        return meter_import.get_run_state_display(), "bad"
    return meter_import.get_status_display(), ""


def _import(request, pk: int) -> MeterImport:
    return found(selectors.meter_import_get, user=request.user, pk=pk)


# --- history and upload -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@portal_action_required(PortalAction.VIEW)
def meter_data(request):
    if request.method == "POST":
        return _meter_data_post(request)
    imports = selectors.meter_imports_visible_to(request.user)
    page = Paginator(imports, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    open_previews = list(
        imports.filter(status=MeterImport.Status.PREVIEW, door=Door.PORTAL, run_state=MeterImport.RunState.NONE)
    )
    context = {
        "form": MeterFilesForm(),
        "page": page,
        "rows": [(meter_import, *import_state(meter_import)) for meter_import in page],
        "open_previews": open_previews,
        "nav_area": "meter-data",
    }
    return render(request, "portal/meter_data.html", context)


@portal_action_required(PortalAction.UPLOAD_METER_DATA)
def _meter_data_post(request):
    if new_work_refused(request):
        return redirect("portal:meter-data")
    if "apply_selected" in request.POST:
        return _apply_selected(request)
    form = MeterFilesForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("portal:meter-data")
    staged = []
    for upload in form.cleaned_data["files"]:
        refused = services.meter_file_refused_by_size(size=upload.size, filename=upload.name)
        if refused is not None:
            messages.error(request, " ".join(finding.message for finding in refused.errors))
            continue
        try:
            staged.append(
                services.meter_import_stage(
                    data=upload.read(),
                    filename=upload.name,
                    actor=request.user,
                    door=Door.PORTAL,
                    metering_point=form.cleaned_data["metering_point"],
                    utility=request.user.utility,
                )
            )
        except StorageFull as error:
            messages.error(request, f"{upload.name}: {error.message}")
    if len(staged) == 1:
        return redirect("portal:meter-import", import_pk=staged[0].pk)
    if staged:
        messages.success(
            request,
            _("%(count)s Dateien hochgeladen. Prüfen Sie die Vorschau jeder Datei und übernehmen Sie sie dann.")
            % {"count": len(staged)},
        )
    return redirect("portal:meter-data")


def _apply_selected(request):
    chosen = request.POST.getlist("imports")
    if not all(pk.isdigit() for pk in chosen):
        raise Http404
    meter_imports = [_import(request, int(pk)) for pk in chosen]  # another utility's id: 404, nothing applied
    if not meter_imports:
        messages.error(request, _("Keine Datei gewählt."))
    for meter_import in meter_imports:
        _apply(request, meter_import)
    return redirect("portal:meter-data")


# --- one import: preview, apply, progress, result -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@portal_action_required(PortalAction.VIEW)
def meter_import_detail(request, import_pk: int):
    meter_import = _import(request, import_pk)
    if request.method == "POST":
        return _meter_import_post(request, meter_import)
    return _detail_page(request, meter_import)


@portal_action_required(PortalAction.UPLOAD_METER_DATA)
def _meter_import_post(request, meter_import: MeterImport):
    previews_only = "preview_mapping" in request.POST and "confirm_mapping" not in request.POST
    if not previews_only and new_work_refused(request):
        return redirect("portal:meter-import", import_pk=meter_import.pk)
    if "confirm_mapping" in request.POST:
        return _confirm_mapping(request, meter_import)
    if "preview_mapping" in request.POST:
        return _detail_page(request, meter_import, mapping_data=request.POST)
    _apply(request, meter_import)
    return redirect("portal:meter-import", import_pk=meter_import.pk)


def _detail_page(request, meter_import: MeterImport, mapping_data=None):
    state, state_css = import_state(meter_import)
    context = {
        "meter_import": meter_import,
        "state": state,
        "state_css": state_css,
        "running": meter_import.status == MeterImport.Status.PREVIEW and meter_import.run_state in _RUNNING,
        "format_label": dict(MeterFormat.choices).get(meter_import.format, meter_import.format),
        "series": labelled(meter_import.series),
        "problems": _findings(meter_import.problems),
        "warnings": _findings(meter_import.warnings),
        "from_portal": meter_import.door == Door.PORTAL,
        "nav_area": "meter-data",
    }
    staged = meter_import.status == MeterImport.Status.PREVIEW and meter_import.run_state in (
        MeterImport.RunState.NONE,
        MeterImport.RunState.FAILED,
    )
    if staged and meter_import.file:
        context.update(_preview(meter_import, mapping_data))
    return render(request, "portal/meter_import.html", context)


def _findings(stored: list[dict]) -> list[Finding]:
    """The findings kept on an import, read back so that places and sentences are said as in the preview."""
    return [Finding(item["code"], item["location"], item.get("params", {}), item.get("message", "")) for item in stored]


def _preview(meter_import: MeterImport, mapping_data) -> dict:
    analysis = services.meter_import_preview(meter_import=meter_import)
    preview = {
        "analysis": analysis,
        "preview": True,
        "series": labelled([plan.summary() for plan in analysis.plans]),
        "format_label": dict(MeterFormat.choices).get(analysis.format, analysis.format),
        "unknown": analysis.unknown_points,
        "can_apply": meter_import.door == Door.PORTAL and not analysis.errors,
        "in_background": _in_background(meter_import),
        "slots": {what: analysis.count(what) for what in ("new", "changed", "unchanged", "superseded")},
    }
    if any(finding.code == UNCONFIRMED_MAPPING for finding in analysis.errors):
        mapping_form, columns_preview, _data = mapping_step(
            meter_import, mapping_data, form_class=PortalMappingConfirmForm, initial={"name": meter_import.filename}
        )
        preview.update({"mapping_form": mapping_form, "columns_preview": columns_preview})
    return preview


def _in_background(meter_import: MeterImport) -> bool:
    return meter_import.size > settings.METER_IMPORT_ASYNC_BYTES


def _apply(request, meter_import: MeterImport) -> None:
    """Apply one staged file: now, or by the task when it is large; a second submit finds it claimed."""
    if meter_import.door != Door.PORTAL:
        messages.error(request, _("%(file)s wurde nicht im Portal hochgeladen.") % {"file": meter_import.filename})
        return
    if not services.meter_import_queue(meter_import=meter_import):
        messages.info(
            request, _("%(file)s wird bereits übernommen oder ist erledigt.") % {"file": meter_import.filename}
        )
        return
    if _in_background(meter_import):
        pk = meter_import.pk
        transaction.on_commit(lambda: apply_meter_import.delay(pk))
        messages.success(
            request,
            _("%(file)s wird im Hintergrund übernommen; die Seite des Imports zeigt den Stand.")
            % {"file": meter_import.filename},
        )
        return
    outcome = services.meter_import_run(meter_import_id=meter_import.pk)
    if outcome is None:
        return
    if outcome.ok:
        messages.success(
            request,
            _("%(file)s: %(status)s, %(new)s neue und %(changed)s geänderte Werte.")
            % {
                "file": outcome.filename,
                "status": outcome.meter_import.get_status_display(),
                "new": outcome.meter_import.slots_new,
                "changed": outcome.meter_import.slots_changed,
            },
        )
    else:
        messages.error(
            request,
            _("%(file)s abgelehnt: %(reasons)s")
            % {"file": outcome.filename, "reasons": " ".join(finding.message for finding in outcome.errors)},
        )


def _confirm_mapping(request, meter_import: MeterImport):
    mapping_form, _preview, data = mapping_step(meter_import, request.POST, form_class=PortalMappingConfirmForm)
    if not mapping_form.is_valid():
        errors = " ".join(error for field_errors in mapping_form.errors.values() for error in field_errors)
        messages.error(request, errors)
        return redirect("portal:meter-import", import_pk=meter_import.pk)
    try:
        csv_mapping_confirm(
            utility=request.user.utility,
            data=data,
            name=mapping_form.cleaned_data["name"],
            mapping=mapping_form.mapping(),
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Spaltenzuordnung gespeichert."))
    return redirect("portal:meter-import", import_pk=meter_import.pk)


# --- coverage calendar --------------------------------------------------------------------------------------------


def _last_closed_month(today: date) -> tuple[int, int]:
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def _shifted(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


@portal_action_required(PortalAction.VIEW)
def community_meter_data(request, pk: int):
    community = community_for(request, pk)
    year, month = _last_closed_month(local_today())
    return redirect("portal:community-coverage", pk=community.pk, year=f"{year:04d}", month=f"{month:02d}")


@portal_action_required(PortalAction.VIEW)
def community_coverage_month(request, pk: int, year: str, month: str):
    community = community_for(request, pk)
    year, month = int(year), int(month)
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404
    coverage = community_coverage(community_id=community.pk, year=year, month=month)
    previous, following = _shifted(year, month, -1), _shifted(year, month, 1)
    export = reverse(
        "portal:point-month-export",
        kwargs={"pk": community.pk, "point_pk": 0, "year": f"{year:04d}", "month": f"{month:02d}", "extension": "xlsx"},
    )
    context = {
        "community": community,
        "nav_community": community,
        "coverage": coverage,
        "month_start": date(year, month, 1),
        "headers": day_headers(coverage.days),
        "rows": grid_rows(coverage),
        "legend": legend(),
        "previous": {"year": f"{previous[0]:04d}", "month": f"{previous[1]:02d}", "day": date(*previous, 1)},
        "following": {"year": f"{following[0]:04d}", "month": f"{following[1]:02d}", "day": date(*following, 1)},
        # the export links of a row: this month's, with the row's point in place of the 0
        "export_prefix": export.split("/points/0/")[0] + "/points/",
        "export_suffix": f"/{year:04d}-{month:02d}",
    }
    return render(request, "portal/meter_coverage.html", context)


@portal_action_required(PortalAction.VIEW)
def point_month_export(request, pk: str, point_pk: str, year: str, month: str, extension: str):
    """A member metering point's quarter-hour values of a month, as a workbook or CSV."""
    community = community_for(request, int(pk))
    year, month = int(year), int(month)
    point = community_selectors.community_metering_point(user=request.user, community=community, pk=int(point_pk))
    if point is None or not 1 <= month <= 12:
        raise Http404
    write = meter_exports.point_month_xlsx if extension == "xlsx" else meter_exports.point_month_csv
    stem = meter_exports.point_month_file_stem(point, year, month)
    return spreadsheet_response(write(point, year, month), f"{stem}.{extension}")
