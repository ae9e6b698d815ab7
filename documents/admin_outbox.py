"""The outbox in the staff console: every dispatch (read-only), and per billing run its page with what was sent,
what failed and why, and what must be printed; sending, retrying and resending behind explicit confirmation.
Also the "render the missing PDFs again" button of the run's page. Thin doors over ``documents.dispatch`` and
``documents.invoice_pdfs``."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _

from billing.models import BillingRun
from communities.models import Door
from documents.dispatch import (
    dispatch_plan,
    dispatch_resend,
    dispatches_retry_failed,
    invoices_dispatch,
)
from documents.invoice_pdfs import invoice_pdfs_render_later, pdf_progress
from documents.models import Dispatch, DispatchStatus
from documents.print_pdfs import not_sendable_pdf
from openleg.admin_mixins import ReadOnlyAdminMixin
from openleg.errors import DomainError
from openleg.permissions import may_change


def may_dispatch(user) -> bool:
    """Sending invoices is as weighty as issuing them: whoever may approve billing runs."""
    return may_change(user, BillingRun)


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["invoice", "recipient_email", "status", "attempts", "last_error", "sent_at", "created_by", "door"]
    list_filter = ["status", "kind", "community"]
    list_select_related = ["invoice", "created_by"]
    search_fields = ["recipient_email", "recipient_name", "message_id"]
    date_hierarchy = "created_at"
    actions = None

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("run/<int:run_id>/", view(self.outbox_view), name="documents_dispatch_outbox"),
            path("run/<int:run_id>/send/", view(self.send_view), name="documents_dispatch_send"),
            path("run/<int:run_id>/retry/", view(self.retry_view), name="documents_dispatch_retry"),
            path("run/<int:run_id>/print.pdf", view(self.print_view), name="documents_dispatch_print"),
            path("run/<int:run_id>/render/", view(self.render_view), name="documents_dispatch_render"),
            path("<int:object_id>/resend/", view(self.resend_view), name="documents_dispatch_resend"),
        ]
        return own + super().get_urls()

    # -- helpers -------------------------------------------------------------------------------------------------

    def _run(self, request, run_id) -> BillingRun:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(BillingRun.objects.select_related("community"), pk=run_id)

    def _check_may_dispatch(self, request) -> None:
        if not may_dispatch(request.user):
            raise PermissionDenied

    def _context(self, request, run: BillingRun, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "run": run,
            "title": title,
            "may_dispatch": may_dispatch(request.user),
        }

    def _outbox(self, run: BillingRun):
        return redirect("admin:documents_dispatch_outbox", run.pk)

    # -- pages ---------------------------------------------------------------------------------------------------

    def outbox_view(self, request, run_id):
        run = self._run(request, run_id)
        dispatches = (
            Dispatch.objects.filter(invoice__run=run)
            .select_related("invoice__participant", "created_by", "resent_by")
            .order_by("invoice__number", "pk")
        )
        by_status = {status: [] for status in DispatchStatus.values}
        for dispatch in dispatches:
            by_status[dispatch.status].append(dispatch)
        counts = dict(
            Dispatch.objects.filter(invoice__run=run).values_list("status").annotate(n=Count("pk")).order_by()
        )
        progress = pdf_progress(run=run)
        plan = dispatch_plan(run=run) if progress.complete and progress.total else None
        context = {
            **self._context(request, run, _("Postausgang: %(run)s") % {"run": run}),
            "progress": progress,
            "plan": plan,
            "counts": [(label, counts.get(status, 0)) for status, label in DispatchStatus.choices],
            "sent": by_status[DispatchStatus.SENT],
            "failed": by_status[DispatchStatus.FAILED],
            "waiting": by_status[DispatchStatus.PENDING] + by_status[DispatchStatus.SENDING],
            "not_sendable": [d for d in by_status[DispatchStatus.NOT_SENDABLE] if not hasattr(d, "resent_by")],
        }
        return TemplateResponse(request, "admin/documents/dispatch/outbox.html", context)

    def send_view(self, request, run_id):
        """Confirmation page (GET) and sending (POST) of everything of the run that has no dispatch yet."""
        self._check_may_dispatch(request)
        run = self._run(request, run_id)
        if request.method == "POST":
            try:
                plan = invoices_dispatch(run=run, actor=request.user, door=Door.ADMIN)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _(
                        "%(sendable)s E-Mails sind zum Versand eingereiht; %(not_sendable)s Belege ohne "
                        "E-Mail-Adresse sind zum Ausdrucken vorgemerkt."
                    )
                    % {"sendable": len(plan.sendable), "not_sendable": len(plan.not_sendable)},
                    messages.SUCCESS,
                )
            return self._outbox(run)
        try:
            plan = invoices_dispatch(run=run, actor=request.user, door=Door.ADMIN, dry_run=True)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return self._outbox(run)
        context = {**self._context(request, run, _("Rechnungen versenden: %(run)s") % {"run": run}), "plan": plan}
        return TemplateResponse(request, "admin/documents/dispatch/send.html", context)

    def retry_view(self, request, run_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._check_may_dispatch(request)
        run = self._run(request, run_id)
        count = dispatches_retry_failed(run=run, actor=request.user, door=Door.ADMIN)
        self.message_user(
            request, _("%(count)s fehlgeschlagene E-Mails sind erneut eingereiht.") % {"count": count}, messages.SUCCESS
        )
        return self._outbox(run)

    def resend_view(self, request, object_id):
        """Confirmation page (GET) and resending (POST) of one dispatch: a new dispatch beside the old one."""
        self._check_may_dispatch(request)
        dispatch = get_object_or_404(
            Dispatch.objects.select_related("invoice__run__community", "invoice__participant"), pk=object_id
        )
        run = dispatch.invoice.run
        if request.method == "POST":
            try:
                again = dispatch_resend(dispatch=dispatch, actor=request.user, door=Door.ADMIN)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(invoice)s wird erneut an %(email)s gesendet.")
                    % {"invoice": again.invoice, "email": again.recipient_email},
                    messages.SUCCESS,
                )
            return self._outbox(run)
        context = {
            **self._context(request, run, _("Erneut senden: %(invoice)s") % {"invoice": dispatch.invoice}),
            "dispatch": dispatch,
            "email": dispatch.invoice.participant.email,
        }
        return TemplateResponse(request, "admin/documents/dispatch/resend.html", context)

    def print_view(self, request, run_id):
        run = self._run(request, run_id)
        content = not_sendable_pdf(run=run)
        if not content:
            self.message_user(request, _("Es gibt keine Belege zum Ausdrucken."), messages.WARNING)
            return self._outbox(run)
        response = HttpResponse(content, content_type="application/pdf")
        filename = f"Ausdrucken-{run.community_id}-{run.year}-{run.month:02d}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def render_view(self, request, run_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._check_may_dispatch(request)
        run = self._run(request, run_id)
        invoice_pdfs_render_later(run=run, actor=request.user, door=Door.ADMIN)
        self.message_user(request, _("Die fehlenden PDFs werden erneut erstellt."), messages.SUCCESS)
        return redirect("admin:billing_billingrun_change", run.pk)
