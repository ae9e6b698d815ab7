"""What makes cached B2B figures stale: any saved change to the data they are computed from.

Coarse on purpose: one generation for every figure, bumped after commit. The figures read approved billing runs,
formation steps, communities, participants, memberships and applied meter imports; a change to any of them is rare
next to the calls, so recomputing everything after one is the simple correct choice.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from api.b2b.cache import bump_generation
from billing.models import BillingRun, RunStatus
from communities.models import Community, FormationStep, Membership, Participant
from metering.models import MeterImport

WATCHED = (Community, FormationStep, Participant, Membership)


def bump_after_commit() -> None:
    """Bump once the transaction commits (at once outside one). A transaction saving many rows queues one bump
    per row: each is one Redis INCR, and a queued bump cannot be shared safely, since a savepoint rolled back
    drops the bumps queued inside it."""
    transaction.on_commit(bump_generation)


def _saved(**_kwargs) -> None:
    bump_after_commit()


def _meter_import_saved(instance: MeterImport, **_kwargs) -> None:
    if instance.status in (MeterImport.Status.APPLIED, MeterImport.Status.SUPERSEDED):
        bump_after_commit()


def _billing_run_saved(instance: BillingRun, **_kwargs) -> None:
    # A draft is recomputed often and counts nowhere; approval, issue and cancellation change the figures.
    if instance.status != RunStatus.DRAFT:
        bump_after_commit()


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_saved, sender=model, dispatch_uid=f"b2b-figures-{model.__name__}-saved")
        post_delete.connect(_saved, sender=model, dispatch_uid=f"b2b-figures-{model.__name__}-deleted")
    post_save.connect(_billing_run_saved, sender=BillingRun, dispatch_uid="b2b-figures-billing-run")
    post_save.connect(_meter_import_saved, sender=MeterImport, dispatch_uid="b2b-figures-meter-import")
