"""What a run's confirmation page does once its form is valid, for every door: the service, with the form's input.

The forms (``billing.forms``) carry the run and the state the page showed; the rules stay in ``billing.services``.
"""

from billing.forms import RunApproveForm, RunCancelForm
from billing.models import BillingRun
from billing.services import billing_run_approve, billing_run_cancel
from communities.models import Door


def run_approve_confirmed(*, form: RunApproveForm, actor, door: str = Door.ADMIN) -> BillingRun:
    return billing_run_approve(
        run=form.run,
        actor=actor,
        reason=form.cleaned_data["reason"],
        override_missing=form.cleaned_data.get("override_missing", False),
        door=door,
    )


def run_cancel_confirmed(*, form: RunCancelForm, actor, door: str = Door.ADMIN) -> BillingRun:
    return billing_run_cancel(run=form.run, actor=actor, reason=form.cleaned_data["reason"], door=door)
