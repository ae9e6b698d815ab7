"""The outbox in the staff console: every dispatch (read-only), and per list (a billing run, an approved reminder
list) its page with what was sent, what failed and why, and what must be printed; sending, retrying and resending
behind explicit confirmation. Also "render the missing PDFs again" and the download of a reminder's PDF. Thin doors
over ``documents.dispatch``, ``documents.invoice_pdfs`` and the per-kind lookups of ``documents.outbox_kinds``."""

from dataclasses import dataclass

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.models import BillingRun
from communities.models import Door
from documents.dispatch import (
    dispatch_plan,
    dispatch_resend,
    dispatches_retry_failed,
    list_dispatch,
    reminders_send_later,
)
from documents.invoice_pdfs import NoInvoices, invoice_pdfs_render_later, require_invoices_of_run
from documents.models import Dispatch, DispatchKind, DispatchStatus
from documents.outbox_kinds import KINDS, DispatchRefused, kind_of
from documents.print_pdfs import not_sendable_pdf
from documents.reminder_mail import reminder_filename
from openleg.admin_mixins import ReadOnlyAdminMixin
from openleg.errors import DomainError
from openleg.permissions import may_change
from payments.models import Reminder, ReminderRun


@dataclass(frozen=True)
class OutboxPage:
    """What the outbox pages of one kind of list need: the list (whoever may change it may send it), where the
    pages are."""

    model: type
    prefix: str  # of the URL names
    run_page: str
    send_title: str

    def url(self, name: str, run) -> str:
        return reverse(f"admin:documents_dispatch_{self.prefix}{name}", args=[run.pk])

    def print_filename(self, run) -> str:
        if isinstance(run, ReminderRun):
            return f"Ausdrucken-Mahnungen-{run.community_id}-{run.as_of:%Y-%m-%d}.pdf"
        return f"Ausdrucken-{run.community_id}-{run.year}-{run.month:02d}.pdf"


PAGES = {
    DispatchKind.INVOICE: OutboxPage(
        BillingRun,
        "",
        "admin:billing_billingrun_change",
        gettext_lazy("Rechnungen versenden: %(run)s"),
    ),
    DispatchKind.REMINDER: OutboxPage(
        ReminderRun,
        "reminder_",
        "admin:payments_reminderrun_change",
        gettext_lazy("Mahnungen versenden: %(run)s"),
    ),
}


def may_dispatch(user, kind: str = DispatchKind.INVOICE) -> bool:
    """Sending invoices is as weighty as issuing them: whoever may approve billing runs (reminder lists)."""
    return may_change(user, PAGES[kind].model)


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["what", "recipient_email", "status", "attempts", "last_error", "sent_at", "created_by", "door"]
    list_filter = ["status", "kind", "community"]
    list_select_related = ["invoice", "reminder__invoice", "created_by"]
    search_fields = ["recipient_email", "recipient_name", "message_id"]
    date_hierarchy = "created_at"
    actions = None

    @admin.display(description=gettext_lazy("Beleg"))
    def what(self, obj) -> str:
        return str(obj.item)

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [path("<int:object_id>/resend/", view(self.resend_view), name="documents_dispatch_resend")]
        for kind, prefix, page in (("invoice", "run", ""), ("reminder", "reminders", "reminder_")):
            extra = {"kind": kind}
            own += [
                path(f"{prefix}/<int:run_id>/", view(self.outbox_view), extra, name=f"documents_dispatch_{page}outbox"),
                path(
                    f"{prefix}/<int:run_id>/send/", view(self.send_view), extra, name=f"documents_dispatch_{page}send"
                ),
                path(
                    f"{prefix}/<int:run_id>/retry/",
                    view(self.retry_view),
                    extra,
                    name=f"documents_dispatch_{page}retry",
                ),
                path(
                    f"{prefix}/<int:run_id>/print.pdf",
                    view(self.print_view),
                    extra,
                    name=f"documents_dispatch_{page}print",
                ),
                path(
                    f"{prefix}/<int:run_id>/render/",
                    view(self.render_view),
                    extra,
                    name=f"documents_dispatch_{page}render",
                ),
            ]
        own.append(
            path(
                "reminder/<int:reminder_id>/pdf/", view(self.reminder_pdf_view), name="documents_dispatch_reminder_pdf"
            )
        )
        return own + super().get_urls()

    # -- helpers -------------------------------------------------------------------------------------------------

    def _run(self, request, run_id, kind):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(PAGES[kind].model.objects.select_related("community"), pk=run_id)

    def _check_may_dispatch(self, request, kind) -> None:
        if not may_dispatch(request.user, kind):
            raise PermissionDenied

    def _context(self, request, run, kind, title: str) -> dict:
        page = PAGES[kind]
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "run": run,
            "title": title,
            "may_dispatch": may_dispatch(request.user, kind),
            "is_reminders": kind == DispatchKind.REMINDER,
            "urls": {name: page.url(name, run) for name in ("outbox", "send", "retry", "print", "render")}
            | {"run": reverse(page.run_page, args=[run.pk])},
        }

    def _outbox(self, run, kind):
        return redirect(PAGES[kind].url("outbox", run))

    # -- pages ---------------------------------------------------------------------------------------------------

    def outbox_view(self, request, run_id, kind):
        run = self._run(request, run_id, kind)
        spec = KINDS[kind]
        dispatches = (
            spec.dispatches(run)
            .select_related(spec.field, spec.participant_lookup, "created_by", "resent_by")
            .order_by(spec.number, "pk")
        )
        by_status = {status: [] for status in DispatchStatus.values}
        for dispatch in dispatches:
            by_status[dispatch.status].append(dispatch)
        counts = dict(spec.dispatches(run).values_list("status").annotate(n=Count("pk")).order_by())
        progress = spec.progress(run)
        context = {
            **self._context(request, run, kind, _("Postausgang: %(run)s") % {"run": run}),
            "progress": progress,
            "plan": _plan_if_sendable(run, kind),
            "counts": [(label, counts.get(status, 0)) for status, label in DispatchStatus.choices],
            "sent": by_status[DispatchStatus.SENT],
            "failed": by_status[DispatchStatus.FAILED],
            "waiting": by_status[DispatchStatus.PENDING] + by_status[DispatchStatus.SENDING],
            "not_sendable": [d for d in by_status[DispatchStatus.NOT_SENDABLE] if not hasattr(d, "resent_by")],
        }
        return TemplateResponse(request, "admin/documents/dispatch/outbox.html", context)

    def send_view(self, request, run_id, kind):
        """Confirmation page (GET) and sending (POST) of everything of the list that has no dispatch yet."""
        self._check_may_dispatch(request, kind)
        run = self._run(request, run_id, kind)
        if request.method == "POST":
            try:
                plan = list_dispatch(run=run, actor=request.user, door=Door.ADMIN)
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
            return self._outbox(run, kind)
        try:
            plan = list_dispatch(run=run, actor=request.user, door=Door.ADMIN, dry_run=True)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return self._outbox(run, kind)
        spec = KINDS[kind]
        context = {
            **self._context(request, run, kind, PAGES[kind].send_title % {"run": run}),
            "plan": plan,
            "sendable": [(item, spec.invoice(item)) for item in plan.sendable],
        }
        return TemplateResponse(request, "admin/documents/dispatch/send.html", context)

    def retry_view(self, request, run_id, kind):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._check_may_dispatch(request, kind)
        run = self._run(request, run_id, kind)
        count = dispatches_retry_failed(run=run, actor=request.user, door=Door.ADMIN)
        self.message_user(
            request, _("%(count)s fehlgeschlagene E-Mails sind erneut eingereiht.") % {"count": count}, messages.SUCCESS
        )
        return self._outbox(run, kind)

    def resend_view(self, request, object_id):
        """Confirmation page (GET) and resending (POST) of one dispatch: a new dispatch beside the old one."""
        dispatch = get_object_or_404(Dispatch, pk=object_id)
        self._check_may_dispatch(request, dispatch.kind)
        spec = kind_of(dispatch)
        dispatch = Dispatch.objects.select_related(*spec.related, spec.participant_lookup).get(pk=object_id)
        run = dispatch.item.run
        if request.method == "POST":
            try:
                again = dispatch_resend(dispatch=dispatch, actor=request.user, door=Door.ADMIN)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(invoice)s wird erneut an %(email)s gesendet.")
                    % {"invoice": again.item, "email": again.recipient_email},
                    messages.SUCCESS,
                )
            return self._outbox(run, dispatch.kind)
        context = {
            **self._context(request, run, dispatch.kind, _("Erneut senden: %(invoice)s") % {"invoice": dispatch.item}),
            "dispatch": dispatch,
            "email": dispatch.participant.email,
        }
        return TemplateResponse(request, "admin/documents/dispatch/resend.html", context)

    def print_view(self, request, run_id, kind):
        run = self._run(request, run_id, kind)
        content = not_sendable_pdf(run=run)
        if not content:
            self.message_user(request, _("Es gibt keine Belege zum Ausdrucken."), messages.WARNING)
            return self._outbox(run, kind)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{PAGES[kind].print_filename(run)}"'
        return response

    def render_view(self, request, run_id, kind):
        """Render the missing PDFs again: a billing run's invoice PDFs; a reminder list's PDFs, then its e-mails."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._check_may_dispatch(request, kind)
        run = self._run(request, run_id, kind)
        if kind == DispatchKind.REMINDER:
            reminders_send_later(reminder_run=run, door=Door.ADMIN)
            self.message_user(request, _("Die fehlenden PDFs werden erstellt und versendet."), messages.SUCCESS)
            return self._outbox(run, kind)
        try:
            require_invoices_of_run(run)
        except NoInvoices as nothing:
            self.message_user(request, nothing.message, messages.WARNING)
            return redirect("admin:billing_billingrun_change", run.pk)
        invoice_pdfs_render_later(run=run, actor=request.user, door=Door.ADMIN)
        self.message_user(request, _("Die fehlenden PDFs werden erneut erstellt."), messages.SUCCESS)
        return redirect("admin:billing_billingrun_change", run.pk)

    def reminder_pdf_view(self, request, reminder_id):
        """A reminder's PDF as staff download it, named like ``2-Mahnung-7-000042.pdf``."""
        if not request.user.has_perm("payments.view_reminderrun"):
            raise PermissionDenied
        reminder = get_object_or_404(Reminder.objects.select_related("invoice"), pk=reminder_id)
        if not reminder.pdf:
            raise Http404(_("Das PDF dieser Mahnung ist noch nicht erstellt."))
        return FileResponse(reminder.pdf.open("rb"), as_attachment=True, filename=reminder_filename(reminder))


def _plan_if_sendable(run, kind):
    """What sending would do now, or nothing while the list may not be sent (PDFs missing, not approved)."""
    try:
        KINDS[kind].check(run)
    except DispatchRefused:
        return None
    return dispatch_plan(run=run)
