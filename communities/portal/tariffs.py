"""A new tariff version from the portal: the internal prices the formation documents and the billing need."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.portal_roles import PortalAction, portal_action_required
from communities.models import Door
from communities.portal.lookups import community_for
from communities.portal_forms import TariffForm, show_validation_error
from communities.services import tariff_create
from openleg.formats import format_day


@portal_action_required(PortalAction.EDIT_FORMATION)
def tariff_new(request, pk: int):
    community = community_for(request, pk)
    form = TariffForm(request.POST or None, community=community)
    if request.method == "POST" and form.is_valid():
        try:
            tariff = tariff_create(community=community, actor=request.user, door=Door.PORTAL, **form.cleaned_data)
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Tarif Version %(version)s gilt ab %(day)s.")
                % {"version": tariff.version, "day": format_day(tariff.valid_from)},
            )
            return redirect("portal:formation", community.pk)
    context = {"community": community, "nav_community": community, "form": form}
    return render(request, "portal/formation_tariff.html", context)
