"""Portal pages for participant lists: the template to download, the upload, its preview and its application.

Thin doors: the community comes through the scoped selector, an upload only from within that community and only
for the user who made it; reading, planning and writing are in ``participant_lists``, ``participant_list_plan``
and ``participant_list_services``.
"""

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.portal_roles import PortalAction, portal_action_required
from communities.models import Door, ParticipantListUpload
from communities.participant_list_columns import COLUMNS
from communities.participant_list_services import (
    participant_list_apply,
    participant_list_preview,
    participant_list_stage,
)
from communities.participant_list_template import template_csv, template_file_name, template_xlsx
from communities.participant_lists import MAX_FILE_BYTES, MAX_ROWS
from communities.portal.lookups import community_for
from openleg.errors import DomainError
from openleg.spreadsheets import spreadsheet_response

TEMPLATES = {"xlsx": template_xlsx, "csv": template_csv}



def _upload(request, community, token) -> ParticipantListUpload:
    upload = ParticipantListUpload.objects.filter(community=community, uploaded_by=request.user, token=token).first()
    if upload is None:
        raise Http404
    upload.community = community
    return upload


@portal_action_required(PortalAction.EDIT_FORMATION)
def template_download(request, pk: int, extension: str):
    community = community_for(request, pk)
    if extension not in TEMPLATES:
        raise Http404
    return spreadsheet_response(TEMPLATES[extension](community), template_file_name(community, extension))


@portal_action_required(PortalAction.EDIT_FORMATION)
def upload(request, pk: int):
    community = community_for(request, pk)
    if request.method == "POST":
        file = request.FILES.get("file")
        if file is None:
            messages.error(request, _("Bitte eine Datei wählen."))
        elif file.size > MAX_FILE_BYTES:
            messages.error(request, _("Die Datei ist grösser als %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
        else:
            staged = participant_list_stage(
                community=community, user=request.user, filename=file.name, content=file.read()
            )
            return redirect("portal:participant-list-preview", pk=community.pk, token=staged.token)
        return redirect("portal:participant-list-upload", pk=community.pk)
    context = {
        "community": community,
        "nav_community": community,
        "columns": COLUMNS,
        "max_rows": MAX_ROWS,
        "max_mb": MAX_FILE_BYTES // (1024 * 1024),
    }
    return render(request, "portal/participant_list_upload.html", context)


@portal_action_required(PortalAction.EDIT_FORMATION)
def preview(request, pk: int, token):
    community = community_for(request, pk)
    staged = _upload(request, community, token)
    plan = participant_list_preview(upload=staged)
    errors_by_line = plan.errors_by_line()
    rows = [
        {"row": row, "plan": plan.plans.get(row.line), "errors": errors_by_line.get(row.line, [])}
        for row in plan.parsed.rows
    ]
    context = {
        "community": community,
        "nav_community": community,
        "upload": staged,
        "plan": plan,
        "rows": rows,
        "counts": plan.counts(),
    }
    return render(request, "portal/participant_list_preview.html", context)


@portal_action_required(PortalAction.EDIT_FORMATION)
def apply(request, pk: int, token):
    community = community_for(request, pk)
    staged = _upload(request, community, token)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        applied = participant_list_apply(upload=staged, actor=request.user, door=Door.PORTAL)
    except DomainError as error:
        messages.error(request, error.message)
        if error.code == "already_applied":
            return redirect(reverse("portal:community", args=[community.pk]) + "#teilnehmende")
        return redirect("portal:participant-list-preview", pk=community.pk, token=staged.token)
    if applied.anything:
        message = _(
            "Teilnehmerliste übernommen: %(participants_new)s Teilnehmende neu, %(participants_changed)s geändert; "
            "%(points_new)s Messpunkte neu, %(points_changed)s geändert; %(memberships_new)s Zuordnungen neu."
        )
        messages.success(request, message % vars(applied))
    else:
        messages.success(request, _("Die Liste entspricht den gespeicherten Daten; es wurde nichts geändert."))
    return redirect(reverse("portal:community", args=[community.pk]) + "#teilnehmende")
