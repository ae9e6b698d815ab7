"""Creating a community (a draft of the user's utility) and editing its data."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.portal_roles import PortalAction, portal_action_required
from communities.models import Door
from communities.portal.lookups import community_for
from communities.portal_forms import CommunityForm, show_validation_error
from communities.services import community_create, community_update
from subscriptions.gate import new_work_refused


@portal_action_required(PortalAction.EDIT_FORMATION)
def community_new(request):
    if request.method == "POST" and new_work_refused(request):
        return redirect("portal:home")
    form = CommunityForm(request.POST or None, utility=request.user.utility)
    if request.method == "POST" and form.is_valid():
        try:
            community = community_create(
                actor=request.user, door=Door.PORTAL, utility=request.user.utility, **form.cleaned_data
            )
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(request, _("Die Gemeinschaft «%(name)s» ist als Entwurf erfasst.") % {"name": community})
            return redirect("portal:formation", community.pk)
    return render(request, "portal/community_form.html", {"form": form, "community": None})


@portal_action_required(PortalAction.EDIT_FORMATION)
def community_edit(request, pk: int):
    community = community_for(request, pk)
    # the form works on a copy: the page keeps the stored name while the input is refused
    form = CommunityForm(request.POST or None, instance=copy.copy(community), utility=request.user.utility)
    if request.method == "POST" and form.is_valid():
        try:
            community_update(community=form.instance, actor=request.user, door=Door.PORTAL, **form.cleaned_data)
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(request, _("Die Angaben der Gemeinschaft sind gespeichert."))
            return redirect("portal:formation", community.pk)
    context = {"form": form, "community": community, "nav_community": community}
    return render(request, "portal/community_form.html", context)
