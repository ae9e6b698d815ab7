"""Participants of a community, their metering points and memberships: listed for everyone, written by the desk
through ``communities.services`` (door ``portal``), the model's rules shown at the field."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.portal_roles import PortalAction, may, portal_action_required
from communities import selectors, services
from communities.models import Door
from communities.portal.lookups import check_may_edit, community_for, found, not_a_post
from communities.portal_forms import (
    MembershipEndForm,
    MeteringPointEditForm,
    ParticipantForm,
    ParticipantLeaveForm,
    PointJoinForm,
    show_validation_error,
)
from openleg.formats import format_day


@portal_action_required(PortalAction.VIEW)
def participant_list(request, pk: int):
    community = community_for(request, pk)
    participants = selectors.participants_of(user=request.user, community=community)
    context = {"community": community, "nav_community": community, "participants": participants}
    return render(request, "portal/participants.html", context)


@portal_action_required(PortalAction.EDIT_FORMATION)
def participant_new(request, pk: int):
    community = community_for(request, pk)
    form = ParticipantForm(request.POST or None, community=community)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.participant_create(
                actor=request.user, door=Door.PORTAL, community=community, **form.cleaned_data
            )
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(request, _("%(name)s ist erfasst.") % {"name": participant.display_name})
            return redirect("portal:participant", community.pk, participant.pk)
    context = {"community": community, "nav_community": community, "form": form}
    return render(request, "portal/participant_new.html", context)


@portal_action_required(PortalAction.VIEW)
def participant_detail(request, pk: int, participant_pk: int):
    """The participant's data (a form for the desk), its metering points and its leaving."""
    check_may_edit(request)
    community = community_for(request, pk)
    participant = found(selectors.community_participant, user=request.user, community=community, pk=participant_pk)
    form = None
    if may(request.user, PortalAction.EDIT_FORMATION):
        form = ParticipantForm(request.POST or None, instance=copy.copy(participant), community=community)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(
                participant=form.instance, actor=request.user, door=Door.PORTAL, **form.cleaned_data
            )
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(request, _("Die Angaben von %(name)s sind gespeichert.") % {"name": form.instance})
            return redirect("portal:participant", community.pk, participant.pk)
    context = {
        "community": community,
        "nav_community": community,
        "participant": participant,
        "form": form,
        "leave_form": ParticipantLeaveForm(),
    }
    return render(request, "portal/participant.html", context)


@portal_action_required(PortalAction.EDIT_FORMATION)
def participant_leave(request, pk: int, participant_pk: int):
    community = community_for(request, pk)
    participant = found(selectors.community_participant, user=request.user, community=community, pk=participant_pk)
    refused = not_a_post(request)
    if refused:
        return refused
    form = ParticipantLeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte das Austrittsdatum angeben."))
        return redirect("portal:participant", community.pk, participant.pk)
    try:
        services.participant_leave(
            participant=participant, member_to=form.cleaned_data["member_to"], actor=request.user, door=Door.PORTAL
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s tritt per %(day)s aus.")
            % {"name": participant.display_name, "day": format_day(form.cleaned_data["member_to"])},
        )
    return redirect("portal:participant", community.pk, participant.pk)


@portal_action_required(PortalAction.EDIT_FORMATION)
def point_new(request, pk: int, participant_pk: int):
    community = community_for(request, pk)
    participant = found(selectors.community_participant, user=request.user, community=community, pk=participant_pk)
    form = PointJoinForm(
        request.POST or None,
        community=community,
        known_points=selectors.metering_points_visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        point_fields = {} if form.existing else form.point_fields()
        try:
            membership = services.participant_point_add(
                participant=participant,
                valid_from=form.cleaned_data["valid_from"],
                metering_point=form.existing,
                actor=request.user,
                door=Door.PORTAL,
                **point_fields,
            )
        except ValidationError as error:
            show_validation_error(form, error, renamed={"metering_point": "mp_id", "utility": "mp_id"})
        else:
            messages.success(
                request,
                _("Der Messpunkt %(mp)s gehört ab %(day)s zu %(name)s.")
                % {
                    "mp": membership.metering_point,
                    "day": format_day(form.cleaned_data["valid_from"]),
                    "name": participant,
                },
            )
            return redirect("portal:participant", community.pk, participant.pk)
    context = {"community": community, "nav_community": community, "participant": participant, "form": form}
    return render(request, "portal/participant_point.html", context)


@portal_action_required(PortalAction.EDIT_FORMATION)
def membership_end(request, pk: int, membership_pk: int):
    community = community_for(request, pk)
    membership = found(selectors.community_membership, user=request.user, community=community, pk=membership_pk)
    participant = membership.participant
    form = MembershipEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(
                membership=membership, valid_to=form.cleaned_data["valid_to"], actor=request.user, door=Door.PORTAL
            )
        except ValidationError as error:
            show_validation_error(form, error, renamed={"valid_from": "valid_to"})
        else:
            messages.success(
                request,
                _("Der Messpunkt %(mp)s gehört bis %(day)s zur Gemeinschaft.")
                % {"mp": membership.metering_point, "day": format_day(form.cleaned_data["valid_to"])},
            )
            return redirect("portal:participant", community.pk, participant.pk)
    context = {
        "community": community,
        "nav_community": community,
        "participant": participant,
        "membership": membership,
        "form": form,
    }
    return render(request, "portal/participant_membership_end.html", context)


@portal_action_required(PortalAction.EDIT_FORMATION)
def point_edit(request, pk: int, point_pk: int):
    """A member point's technical data (``metering_point_update``); back to the participant it was opened from."""
    community = community_for(request, pk)
    point = selectors.community_metering_point(user=request.user, community=community, pk=point_pk)
    if point is None:
        raise Http404(_("Kein Messpunkt mit der Nummer %(pk)s in dieser Gemeinschaft.") % {"pk": point_pk})
    form = MeteringPointEditForm(request.POST or None, instance=copy.copy(point), utility=request.user.utility)
    back = request.GET.get("participant", "")
    back = back if back.isdigit() else ""  # only ever a link back to a participant page
    if request.method == "POST" and form.is_valid():
        try:
            services.metering_point_update(
                metering_point=form.instance, actor=request.user, door=Door.PORTAL, **form.cleaned_data
            )
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(request, _("Die Angaben des Messpunkts %(mp)s sind gespeichert.") % {"mp": point})
            if back:
                return redirect("portal:participant", community.pk, int(back))
            return redirect("portal:participants", community.pk)
    context = {"community": community, "nav_community": community, "point": point, "form": form, "back": back}
    return render(request, "portal/participant_point_edit.html", context)
