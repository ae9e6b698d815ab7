"""Staff console for documents: every version of every document, downloads, generation."""

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from communities.models import Community
from documents.models import Document
from documents.services import KIND_GROUPS, documents_generate_later
from openleg.admin_mixins import ReadOnlyAdminMixin
from openleg.errors import DomainError


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "community", "kind", "version", "signature_state", "created_at", "created_by", "download"]
    list_filter = ["kind", "signature_state", "community__utility", "community"]
    list_select_related = ["community", "created_by"]
    search_fields = ["title", "community__name", "sha256"]
    date_hierarchy = "created_at"
    fields = [
        "community",
        "kind",
        "subject",
        "participant",
        "invoice",
        "version",
        "title",
        "download",
        "sha256",
        "size_bytes",
        "source_sha256",
        "created_at",
        "created_by",
        "door",
        "signature_state",
    ]
    readonly_fields = fields

    @admin.display(description=_("PDF"))
    def download(self, obj: Document):
        url = reverse("admin:documents_document_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.filename)

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("<int:object_id>/download/", view(self.download_view), name="documents_document_download"),
            path(
                "generate/<int:community_id>/",
                view(require_POST(self.generate_view)),
                name="documents_document_generate",
            ),
        ]
        return own + super().get_urls()

    def download_view(self, request, object_id):
        document = get_object_or_404(Document, pk=object_id)
        if not self.has_view_permission(request, document):
            raise PermissionDenied
        return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename)

    def generate_view(self, request, community_id):
        opts = Community._meta
        if not request.user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}"):
            raise PermissionDenied
        community = get_object_or_404(Community, pk=community_id)
        kinds = KIND_GROUPS.get(request.POST.get("kinds", ""), ())
        try:
            documents_generate_later(community=community, kinds=kinds, actor=request.user)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request,
                _("Die Dokumente werden erstellt; neue Versionen erscheinen hier, sobald sie bereit sind."),
                messages.SUCCESS,
            )
        return redirect("admin:communities_community_formation", community.pk)
