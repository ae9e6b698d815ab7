"""Recording changes: a snapshot before, a snapshot after, and the difference as an AuditEntry."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import models

from accounts.actors import recorded_user
from communities.models import AuditEntry, Community, Door


def snapshot(instance: models.Model | None) -> dict[str, Any]:
    """The concrete field values of an instance as JSON-safe values (empty for a new object)."""
    if instance is None:
        return {}
    values = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(field, models.DecimalField) and value is not None:
            # as stored, so that 25 and 25.000 are the same value
            value = str(Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places)))
        elif isinstance(value, date | datetime | time):
            value = value.isoformat()
        values[field.attname] = value
    return values


def _community_of(instance: models.Model) -> Community | None:
    if isinstance(instance, Community):
        return instance
    for path in ("community", "participant.community", "tariff.community"):
        target: Any = instance
        for step in path.split("."):
            target = getattr(target, step, None)
        if isinstance(target, Community):
            return target
    return None


def audit_record(
    *, instance: models.Model, before: dict[str, Any], actor, door: Door | str, action: str | None = None
) -> AuditEntry | None:
    """Write one entry with the fields that changed; nothing is written when nothing changed."""
    after = {} if action == AuditEntry.Action.DELETE else snapshot(instance)
    keys = sorted(set(before) | set(after))
    changes = {key: [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)}
    if not changes:
        return None
    if action is None:
        action = AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE
    community = _community_of(instance)
    return AuditEntry.objects.create(
        actor=recorded_user(actor),
        door=door,
        action=action,
        model=instance._meta.label,
        object_pk=str(instance.pk if instance.pk is not None else before.get("id")),
        object_repr=str(instance)[:200],
        community=community if community and community.pk else None,
        changes=changes,
    )
