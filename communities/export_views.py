"""Portal downloads: a billing run's figures and a metering point's month of quarter-hours, as XLSX or CSV.

Thin doors: the community comes through the scoped selector, the run and the point only from within it, so
another utility's id is 'not found' like any other.
"""

from django.http import Http404

from accounts.portal_roles import PortalAction, portal_action_required
from billing import exports as run_exports
from billing.models import BillingRun
from communities import selectors
from metering import exports as meter_exports
from openleg.errors import NotFound
from openleg.spreadsheets import spreadsheet_response


def _community(request, pk: int):
    try:
        return selectors.community_get(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error


RUN_FILES = {
    "export.xlsx": run_exports.run_xlsx,
    "participants.csv": run_exports.run_participants_csv,
    "days.csv": run_exports.run_days_csv,
}


@portal_action_required(PortalAction.VIEW)
def run_export(request, pk: str, run_pk: str, name: str):
    community = _community(request, int(pk))
    run = BillingRun.objects.select_related("community").filter(community=community, pk=run_pk).first()
    if run is None or name not in RUN_FILES:
        raise Http404
    stem = run_exports.run_file_stem(run)
    suffix = "" if name == "export.xlsx" else "-" + name.split(".")[0]
    return spreadsheet_response(RUN_FILES[name](run), f"{stem}{suffix}.{name.rsplit('.', 1)[1]}")


@portal_action_required(PortalAction.VIEW)
def point_month_export(request, pk: str, point_pk: str, year: str, month: str, extension: str):
    community = _community(request, int(pk))
    year, month = int(year), int(month)
    point = selectors.community_metering_point(user=request.user, community=community, pk=int(point_pk))
    if point is None or not 1 <= month <= 12:
        raise Http404
    write = meter_exports.point_month_xlsx if extension == "xlsx" else meter_exports.point_month_csv
    stem = meter_exports.point_month_file_stem(point, year, month)
    return spreadsheet_response(write(point, year, month), f"{stem}.{extension}")
