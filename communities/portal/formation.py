"""The formation page of a community: the eligibility rules with their sentences, the state and its history, the
moves the workflow allows now (``formation_move``, door ``portal``) and the formation documents."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.portal_roles import PortalAction, portal_action_required
from communities.eligibility import eligibility_check
from communities.formation import FormationRefused, formation_move, formation_targets
from communities.formation_admin import FormationMoveForm
from communities.models import CommunityStatus, Door
from communities.portal.lookups import community_for, not_a_post
from communities.selectors import latest_documents
from documents.deepsign import DeepSignConfig, DeepSignNotConfigured
from documents.forms import PaperSignatureForm


def deepsign_configured() -> bool:
    """Whether documents can be sent to DeepSign: the same settings check the sending itself makes."""
    try:
        DeepSignConfig.from_settings()
    except DeepSignNotConfigured:
        return False
    return True


@portal_action_required(PortalAction.VIEW)
def formation_page(request, pk: int):
    community = community_for(request, pk)
    context = {
        "community": community,
        "nav_community": community,
        "eligibility": eligibility_check(community=community),
        "moves": [CommunityStatus(target) for target in formation_targets(community.status)],
        "tariffs": community.tariffs.order_by("valid_from"),
        "steps": community.formation_steps.select_related("actor").order_by("-at", "-pk"),
        "documents": latest_documents(community=community),
        "deepsign": deepsign_configured(),
        "move_form": FormationMoveForm(),
        "paper_form": PaperSignatureForm(),
    }
    return render(request, "portal/formation.html", context)


@portal_action_required(PortalAction.EDIT_FORMATION)
def formation_move_view(request, pk: int):
    community = community_for(request, pk)
    refused = not_a_post(request)
    if refused:
        return refused
    form = FormationMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unbekannter Status: es wurde nichts geändert."))
        return redirect("portal:formation", community.pk)
    try:
        formation_move(
            community=community,
            to_status=form.cleaned_data["to_status"],
            actor=request.user,
            door=Door.PORTAL,
            note=form.cleaned_data["note"],
        )
    except FormationRefused as refusal:
        if refusal.reasons:  # one message per obstacle: a list the desk can work through
            messages.error(
                request,
                _("Die Gemeinschaft kann nicht nach «%(to)s» wechseln:")
                % {"to": CommunityStatus(form.cleaned_data["to_status"]).label},
            )
            for reason in refusal.reasons:
                messages.error(request, reason)
        else:
            messages.error(request, refusal.message)
    else:
        messages.success(request, _("Status: %(status)s.") % {"status": community.get_status_display()})
    return redirect("portal:formation", community.pk)
