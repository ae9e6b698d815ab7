"""The formation page of a community in the staff console: the eligibility check rule by rule, the
moves the workflow allows now, the documents and the history. Moves call ``formation_move``."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from communities.eligibility import eligibility_check
from communities.formation import FormationRefused, formation_move, formation_targets
from communities.models import Community, CommunityStatus, Door, FormationStep
from communities.selectors import latest_documents
from openleg.admin_mixins import ReadOnlyAdminMixin
from openleg.permissions import may_change


class FormationMoveForm(forms.Form):
    to_status = forms.ChoiceField(choices=CommunityStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Bemerkung"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def may_run_formation(user) -> bool:
    """Moving a community, generating and sending its documents: whoever may change communities."""
    return may_change(user, Community)


class FormationStepInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = FormationStep
    extra = 0
    fields = ["at", "from_status", "to_status", "actor", "door", "note"]
    readonly_fields = fields
    verbose_name_plural = _("Verlauf der Gründung")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class FormationAdminMixin:
    """Adds ``<id>/formation/`` to the community admin and a link to it on the change form."""

    @admin.display(description=_("Gründung"))
    def formation_link(self, obj):
        if obj.pk is None:
            return "–"
        url = reverse("admin:communities_community_formation", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Voraussetzungen, Dokumente und Status"))

    def get_urls(self):
        own = [
            path(
                "<int:object_id>/formation/",
                self.admin_site.admin_view(self.formation_view),
                name="communities_community_formation",
            )
        ]
        return own + super().get_urls()

    def formation_view(self, request, object_id):
        community = get_object_or_404(
            Community.objects.select_related("utility", "municipality", "representative"), pk=object_id
        )
        if not self.has_view_permission(request, community):
            raise PermissionDenied
        if request.method == "POST":
            return self._move(request, community)
        check = eligibility_check(community=community)
        context = {
            **self.admin_site.each_context(request),
            "opts": Community._meta,
            "original": community,
            "community": community,
            "title": _("Gründung: %(community)s") % {"community": community},
            "check": check,
            "moves": [CommunityStatus(target) for target in formation_targets(community.status)],
            "may_move": may_run_formation(request.user),
            "documents": latest_documents(community=community),
            "steps": community.formation_steps.select_related("actor").order_by("-at", "-pk"),
            "form": FormationMoveForm(),
        }
        return TemplateResponse(request, "admin/communities/community/formation.html", context)

    def _move(self, request, community: Community):
        if not may_run_formation(request.user):
            raise PermissionDenied
        form = FormationMoveForm(request.POST)
        if form.is_valid():
            try:
                formation_move(
                    community=community,
                    to_status=form.cleaned_data["to_status"],
                    actor=request.user,
                    door=Door.ADMIN,
                    note=form.cleaned_data["note"],
                )
            except FormationRefused as refused:
                self.message_user(request, refused.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Status: %(status)s.") % {"status": community.get_status_display()},
                    messages.SUCCESS,
                )
        return redirect("admin:communities_community_formation", community.pk)
