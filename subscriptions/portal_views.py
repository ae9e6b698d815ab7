"""The portal's subscription page (/utility/billing/): what the utility has with OpenLEG, and the way to Stripe
Checkout or Stripe's customer portal. Only the role that approves billing sees it."""

from csp.constants import SELF
from csp.decorators import csp_update
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.portal_roles import PortalAction, portal_action_required
from openleg.errors import DomainError
from subscriptions import selectors, services
from subscriptions.plans import INTERVALS, PLANS
from subscriptions.stripe_api import HOSTED_PAGES, payments_configured

RETURN_MESSAGES = {
    "success": (
        messages.SUCCESS,
        _("Danke! Stripe hat den Abschluss bestätigt; das Abonnement erscheint hier, sobald Stripe es gemeldet hat."),
    ),
    "cancel": (messages.INFO, _("Der Abschluss wurde abgebrochen; es wurde nichts verrechnet.")),
}


def _plan_rows() -> list[dict]:
    return [
        {
            "key": plan.key,
            "name": plan.name,
            "prices": [
                (interval, plan.monthly_chf if interval == "month" else plan.yearly_chf) for interval in INTERVALS
            ],
            "max_communities": plan.max_communities,
            "trial_days": plan.trial_days,
        }
        for plan in PLANS.values()
    ]


@portal_action_required(PortalAction.MANAGE_SUBSCRIPTION)
@csp_update({"form-action": [SELF, *HOSTED_PAGES]})
def subscription(request):
    if request.method == "POST":
        return _subscription_post(request)
    utility = request.user.utility
    context = {"configured": payments_configured(), "nav_area": "subscription"}
    if context["configured"]:
        returned = RETURN_MESSAGES.get(request.GET.get("checkout", ""))
        if returned:
            messages.add_message(request, *returned)
        current = selectors.current_subscription(utility)
        ended = None if current else selectors.ended_subscription(utility)
        context.update(
            current=selectors.subscription_view(current) if current else None,
            ended=selectors.subscription_view(ended) if ended else None,
            invoices=selectors.invoice_rows(utility),
            plans=_plan_rows(),
        )
    return render(request, "portal/subscription.html", context)


def _subscription_post(request):
    page = request.build_absolute_uri(reverse("portal:subscription"))
    try:
        if "manage" in request.POST:
            url = services.portal_start(request.user.utility, return_url=page)
        else:
            url = services.checkout_start(
                request.user.utility,
                request.POST.get("plan", ""),
                request.POST.get("interval", ""),
                actor=request.user,
                success_url=f"{page}?checkout=success",
                cancel_url=f"{page}?checkout=cancel",
                return_url=page,
            )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("portal:subscription")
    return redirect(url)
