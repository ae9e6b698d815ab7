"""Staff console for documents: every version of every document, downloads, generation, signatures (DeepSign and
on paper)."""

from pathlib import Path

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from communities.formation_admin import may_run_formation
from communities.models import Community, Door
from documents import admin_outbox  # noqa: F401  (registers the outbox and its pages)
from documents.forms import PaperSignatureForm
from documents.models import Document, PaperSignature, SignatureRequest, SignatureRequestState
from documents.paper_signatures import paper_signature_recordable
from documents.services import KIND_GROUPS, documents_generate_later
from documents.signers import signers_for
from documents.signing import (
    signature_request_send,
    signature_status_refresh,
    signature_withdraw,
)
from openleg.admin_display import shortened
from openleg.admin_mixins import ReadOnlyAdminMixin
from openleg.errors import DomainError
from openleg.formats import format_day


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # the title names the kind; who created it is on the document's page
    list_display = ["title", "community", "version", "signature_state", "created_at", "download"]
    list_filter = ["kind", "signature_state", "community__utility", "community"]
    list_select_related = ["community", "created_by"]
    search_fields = ["title", "community__name", "sha256"]
    date_hierarchy = "created_at"
    fields = [
        "community",
        "kind",
        "subject",
        "participant",
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
        "signed_on_paper",
    ]
    readonly_fields = [*fields, "record_on_paper"]
    actions = ["send_for_signature"]

    def has_sign_permission(self, request) -> bool:
        return may_run_formation(request.user)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and paper_signature_recordable(obj) and may_run_formation(request.user):
            return [*fields, "record_on_paper"]
        return fields

    @admin.action(description=_("Zur Unterschrift senden (DeepSign)"), permissions=["sign"])
    def send_for_signature(self, request, queryset):
        for document in queryset.select_related("community__representative", "participant"):
            try:
                signature_request_send(
                    document=document, signers=signers_for(document), actor=request.user, door=Door.ADMIN
                )
            except DomainError as error:
                self.message_user(request, f"{document}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(document)s ist zur Unterschrift versandt.") % {"document": document})

    @admin.display(description=_("PDF"))
    def download(self, obj: Document):
        url = reverse("admin:documents_document_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, shortened(obj.filename, kind="file"))

    @admin.display(description=_("Papierunterschrift"))
    def signed_on_paper(self, obj: Document):
        paper = PaperSignature.objects.filter(document=obj).select_related("recorded_by").first()
        if paper is None:
            return "–"
        url = reverse("admin:documents_document_paper_scan", args=[obj.pk])
        return format_html(
            '{} · <a href="{}">{}</a>',
            _("unterzeichnet am %(day)s, erfasst am %(recorded)s durch %(user)s")
            % {
                "day": format_day(paper.signed_on),
                "recorded": format_day(paper.recorded_at),
                "user": paper.recorded_by or "–",
            },
            url,
            Path(paper.scan.name).name,
        )

    @admin.display(description=_("Papierunterschrift"))
    def record_on_paper(self, obj: Document):
        url = reverse("admin:documents_document_paper_signature", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Unterschrift auf Papier erfassen"))

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("<int:object_id>/download/", view(self.download_view), name="documents_document_download"),
            path(
                "generate/<int:community_id>/",
                view(require_POST(self.generate_view)),
                name="documents_document_generate",
            ),
            path(
                "<int:object_id>/paper-signature/",
                view(self.paper_signature_view),
                name="documents_document_paper_signature",
            ),
            path(
                "<int:object_id>/paper-signature/scan/",
                view(self.paper_scan_view),
                name="documents_document_paper_scan",
            ),
        ]
        return own + super().get_urls()

    def download_view(self, request, object_id):
        document = get_object_or_404(Document, pk=object_id)
        if not self.has_view_permission(request, document):
            raise PermissionDenied
        return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename)

    def paper_signature_view(self, request, object_id):
        if not may_run_formation(request.user):
            raise PermissionDenied
        document = get_object_or_404(Document.objects.select_related("community"), pk=object_id)
        form = PaperSignatureForm(request.POST, request.FILES) if request.method == "POST" else PaperSignatureForm()
        if form.is_bound and form.is_valid() and form.record(document=document, actor=request.user, door=Door.ADMIN):
            self.message_user(
                request,
                _("«%(document)s» ist als auf Papier unterzeichnet erfasst.") % {"document": document},
                messages.SUCCESS,
            )
            return redirect("admin:documents_document_change", document.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": Document._meta,
            "original": document,
            "document": document,
            "title": _("Unterschrift auf Papier erfassen: %(document)s") % {"document": document},
            "form": form,
        }
        return TemplateResponse(request, "admin/documents/document/paper_signature.html", context)

    def paper_scan_view(self, request, object_id):
        paper = get_object_or_404(PaperSignature.objects.select_related("document"), document_id=object_id)
        if not self.has_view_permission(request, paper.document):
            raise PermissionDenied
        return FileResponse(paper.scan.open("rb"), as_attachment=True, filename=Path(paper.scan.name).name)

    def generate_view(self, request, community_id):
        if not may_run_formation(request.user):
            raise PermissionDenied
        community = get_object_or_404(Community, pk=community_id)
        asked = request.POST.get("kinds", "")
        if asked not in KIND_GROUPS:
            # e.g. "invoices" from a page of an older version: invoice PDFs are rendered on the run's page
            self.message_user(request, _("Unbekannte Dokumentart: es wurde nichts erstellt."), messages.WARNING)
        else:
            try:
                documents_generate_later(
                    community=community, kinds=KIND_GROUPS[asked], actor=request.user, door=Door.ADMIN
                )
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Die Dokumente werden erstellt; neue Versionen erscheinen hier, sobald sie bereit sind."),
                    messages.SUCCESS,
                )
        return redirect("admin:communities_community_formation", community.pk)


@admin.register(SignatureRequest)
class SignatureRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["document", "state", "requested_at", "requested_by", "completed_at", "last_checked_at"]
    list_filter = ["state", "document__kind", "document__community"]
    list_select_related = ["document__community", "requested_by"]
    search_fields = ["document__title", "provider_document_id"]
    # The callback token stays out of the console: whoever has it can make us query DeepSign. DeepSign's last
    # answer is for the log, not for reading; the signers are listed by name and address.
    exclude = ["callback_token", "last_status", "signers"]
    readonly_fields = ["signer_list"]
    actions = ["refresh", "withdraw"]

    def has_sign_permission(self, request) -> bool:
        return may_run_formation(request.user)

    @admin.display(description=_("Unterzeichnende"))
    def signer_list(self, obj: SignatureRequest) -> str:
        signers = [f"{signer.get('name', '')} <{signer.get('email', '')}>" for signer in obj.signers]
        return render_to_string("admin/includes/text_list.html", {"items": signers})

    @admin.action(description=_("Status bei DeepSign abfragen"), permissions=["sign"])
    def refresh(self, request, queryset):
        for signature in queryset.select_related("document__community"):
            try:
                signature = signature_status_refresh(request=signature, door=Door.ADMIN)
            except DomainError as error:
                self.message_user(request, f"{signature.document}: {error.message}", messages.ERROR)
            else:
                level = messages.ERROR if signature.state == SignatureRequestState.FAILED else messages.INFO
                self.message_user(request, f"{signature.document}: {signature.get_state_display()}", level)

    @admin.action(description=_("Unterschriftsanfrage zurückziehen"), permissions=["sign"])
    def withdraw(self, request, queryset):
        for signature in queryset.select_related("document__community"):
            try:
                signature_withdraw(request=signature, actor=request.user, door=Door.ADMIN)
            except DomainError as error:
                self.message_user(request, f"{signature.document}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(document)s: zurückgezogen.") % {"document": signature.document})
