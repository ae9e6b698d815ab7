"""Billing in the utility portal: a community's runs by month, a run's page, compute a draft, approve and cancel
behind confirmation pages, the invoice PDFs one by one or as one ZIP.

Thin doors: the community comes through the scoped selector, runs and invoices only from within it (another
utility's id is 'not found'); every write is a service of ``billing.services``, whose refusals become messages.
The pages are built by ``billing.run_page``, like the staff console's.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.portal_roles import PortalAction, portal_action_required
from billing import exports as run_exports
from billing.forms import RunApproveForm, RunCancelForm
from billing.models import BillingRun, InvoicePdf, RunStatus
from billing.run_confirm import run_approve_confirmed, run_cancel_confirmed
from billing.run_page import (
    approval_context,
    approved_message,
    cancel_context,
    cancelled_message,
    community_runs,
    computed_message,
    run_page_context,
    run_participant_context,
    run_period,
)
from billing.run_zip import invoice_pdf_response, run_pdfs_zip_response
from billing.services import billing_run_start
from billing.tasks import previous_month
from communities.models import Community, Door
from communities.portal.lookups import community_for
from openleg.errors import DomainError
from openleg.spreadsheets import spreadsheet_response
from subscriptions.gate import new_work_refused

REFRESH_SECONDS = 3  # while the invoice PDFs render, the run's page reloads itself


class ComputeForm(forms.Form):
    """The month to compute; whether it may be billed is the service's to say."""

    period = forms.DateField(
        label=gettext_lazy("Monat"),
        input_formats=["%Y-%m"],
        help_text=gettext_lazy("JJJJ-MM, z. B. 2026-03"),
        error_messages={"invalid": gettext_lazy("Bitte den Monat als JJJJ-MM angeben, z. B. 2026-03.")},
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month", "size": 8}),
    )


def _run(community: Community, run_pk: int) -> BillingRun:
    run = (
        BillingRun.objects.select_related("community", "created_by", "approved_by", "cancelled_by")
        .filter(community=community, pk=run_pk)
        .first()
    )
    if run is None:
        raise Http404(_("Diesen Abrechnungslauf gibt es in dieser Gemeinschaft nicht."))
    return run


def _run_page(run: BillingRun):
    return redirect("portal:run", run.community_id, run.pk)


def _context(community: Community, **context) -> dict:
    return {"community": community, "nav_community": community, **context}


@portal_action_required(PortalAction.VIEW)
def billing_overview(request, pk: int):
    community = community_for(request, pk)
    year, month = previous_month()
    form = ComputeForm(initial={"period": f"{year}-{month:02d}"})
    return render(request, "portal/billing.html", _context(community, runs=community_runs(community), form=form))


@portal_action_required(PortalAction.COMPUTE_BILLING)
def billing_compute(request, pk: int):
    """Compute the month's draft (or recompute it); an approved month, or one that may not be billed, is refused."""
    community = community_for(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if new_work_refused(request):
        return redirect("portal:billing", community.pk)
    form = ComputeForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("period", []):
            messages.error(request, error)
        return redirect("portal:billing", community.pk)
    period = form.cleaned_data["period"]
    try:
        run = billing_run_start(community=community, year=period.year, month=period.month, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("portal:billing", community.pk)
    messages.success(request, computed_message(run))
    return _run_page(run)


@portal_action_required(PortalAction.VIEW)
def billing_run(request, pk: int, run_pk: int):
    community = community_for(request, pk)
    run = _run(community, run_pk)
    context = _context(community, **run_page_context(run, with_lines=False), refresh_seconds=REFRESH_SECONDS)
    return render(request, "portal/billing_run.html", context)


@portal_action_required(PortalAction.VIEW)
def billing_run_participant(request, pk: int, run_pk: int, participant_pk: int):
    """One participant in a run: its statement lines and the days its figures differ from the VNB's."""
    community = community_for(request, pk)
    run = _run(community, run_pk)
    participant = community.participants.filter(pk=participant_pk).first()
    if participant is None:
        raise Http404
    context = _context(
        community, run=run, **run_period(run), participant=participant, **run_participant_context(run, participant)
    )
    return render(request, "portal/billing_run_participant.html", context)


def _confirmation(request, community, run, *, form_class, confirmed, done_message, page_context, template):
    """A confirmation page: GET shows what the action does, a valid POST does it through ``confirmed`` and returns
    to the run's page with ``done_message``; a refusal stays on the page as a message."""
    form = form_class(request.POST if request.method == "POST" else None, run=run)
    if form.is_bound and form.is_valid():
        try:
            run = confirmed(form=form, actor=request.user, door=Door.PORTAL)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done_message(run))
            return _run_page(run)
    return render(request, template, _context(community, run=run, form=form, **page_context(run)))


@portal_action_required(PortalAction.APPROVE_BILLING)
def billing_approve(request, pk: int, run_pk: int):
    """The confirmation page shows what approval issues; POST approves the run as it was shown (state token)."""
    community = community_for(request, pk)
    run = _run(community, run_pk)
    if run.status != RunStatus.DRAFT:  # approved meanwhile: a double submit or another tab
        messages.warning(request, _("Nur Entwürfe können freigegeben werden."))
        return _run_page(run)
    return _confirmation(
        request,
        community,
        run,
        form_class=RunApproveForm,
        confirmed=run_approve_confirmed,
        done_message=approved_message,
        page_context=approval_context,
        template="portal/billing_approve.html",
    )


@portal_action_required(PortalAction.CANCEL_BILLING)
def billing_cancel(request, pk: int, run_pk: int):
    """The confirmation page lists what the cancellation credits; POST cancels with the reason given."""
    community = community_for(request, pk)
    run = _run(community, run_pk)
    if run.status == RunStatus.CANCELLED:
        messages.warning(request, _("Der Lauf ist bereits storniert."))
        return _run_page(run)
    return _confirmation(
        request,
        community,
        run,
        form_class=RunCancelForm,
        confirmed=run_cancel_confirmed,
        done_message=cancelled_message,
        page_context=cancel_context,
        template="portal/billing_cancel.html",
    )


@portal_action_required(PortalAction.VIEW)
def billing_invoice_pdf(request, pk: int, run_pk: int, invoice_pk: int):
    community = community_for(request, pk)
    run = _run(community, run_pk)
    pdf = InvoicePdf.objects.filter(invoice__run=run, invoice_id=invoice_pk).first()
    if pdf is None:
        raise Http404(_("Zu dieser Rechnung gibt es in diesem Lauf (noch) kein PDF."))
    return invoice_pdf_response(pdf)


@portal_action_required(PortalAction.VIEW)
def billing_invoices_zip(request, pk: int, run_pk: int):
    community = community_for(request, pk)
    return run_pdfs_zip_response(_run(community, run_pk))


RUN_FILES = {
    "export.xlsx": run_exports.run_xlsx,
    "participants.csv": run_exports.run_participants_csv,
    "days.csv": run_exports.run_days_csv,
}


@portal_action_required(PortalAction.VIEW)
def run_export(request, pk: str, run_pk: str, name: str):
    """A run's figures as a workbook or as one of its two tables in CSV."""
    community = community_for(request, int(pk))
    run = BillingRun.objects.select_related("community").filter(community=community, pk=run_pk).first()
    if run is None or name not in RUN_FILES:
        raise Http404
    stem = run_exports.run_file_stem(run)
    suffix = "" if name == "export.xlsx" else "-" + name.split(".")[0]
    return spreadsheet_response(RUN_FILES[name](run), f"{stem}{suffix}.{name.rsplit('.', 1)[1]}")
