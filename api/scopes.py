"""What an agent token may do: one scope per family of tools. Nothing grants approving, cancelling or issuing runs,
sending outreach, signing, or changing tariffs and memberships: no tool does those."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    PIPELINE_READ = "pipeline:read", _("Vertriebspipeline lesen")
    PIPELINE_WRITE = "pipeline:write", _("Vertriebspipeline ändern")
    BILLING_READ = "billing:read", _("Abrechnung lesen")
    BILLING_RUN = "billing:run", _("Abrechnungsentwurf berechnen")
    DOCUMENTS_READ = "documents:read", _("Dokumente lesen")
    DOCUMENTS_WRITE = "documents:write", _("Dokumente erstellen")


PIPELINE_SCOPES = frozenset({Scope.PIPELINE_READ, Scope.PIPELINE_WRITE})
"""Scopes only a staff token (not bound to a utility) may hold: the pipeline is OpenLEG's own sales work."""
