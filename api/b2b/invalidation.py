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


def _bump_after_commit(**_kwargs) -> None:
    transaction.on_commit(bump_generation)


def _meter_import_saved(instance: MeterImport, **_kwargs) -> None:
    if instance.status in (MeterImport.Status.APPLIED, MeterImport.Status.SUPERSEDED):
        transaction.on_commit(bump_generation)


def _billing_run_saved(instance: BillingRun, **_kwargs) -> None:
    # A draft is recomputed often and counts nowhere; approval, issue and cancellation change the figures.
    if instance.status != RunStatus.DRAFT:
        transaction.on_commit(bump_generation)


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_bump_after_commit, sender=model, dispatch_uid=f"b2b-figures-{model.__name__}-saved")
        post_delete.connect(_bump_after_commit, sender=model, dispatch_uid=f"b2b-figures-{model.__name__}-deleted")
    post_save.connect(_billing_run_saved, sender=BillingRun, dispatch_uid="b2b-figures-billing-run")
    post_save.connect(_meter_import_saved, sender=MeterImport, dispatch_uid="b2b-figures-meter-import")
