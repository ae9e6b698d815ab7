"""An audit entry as people read it: the kind of object by its German name, each change as field, before, after."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from communities.models import AuditEntry


def model_of(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def model_name(label: str) -> str:
    """``communities.Participant`` → "Teilnehmende"; a model that no longer exists keeps its label."""
    model = model_of(label)
    return str(model._meta.verbose_name) if model else label


def _field(model: type[models.Model] | None, attname: str) -> models.Field | None:
    if model is None:
        return None
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field
    try:
        return model._meta.get_field(attname)
    except FieldDoesNotExist:
        return None


def _value(field: models.Field | None, value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if field is not None and field.is_relation:
        # the object it points to, by name, while it exists
        return str(field.related_model._default_manager.filter(pk=value).first() or f"#{value}")
    choices = dict(field.flatchoices) if field is not None and field.flatchoices else {}
    return str(choices.get(value, value))


def change_rows(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(field, before, after) per changed field in the model's order, with the field's German name, choice labels
    and the names of related objects; a field empty before and after (a new object's blank fields) is left out."""
    model = model_of(entry.model)
    order = [field.attname for field in model._meta.concrete_fields] if model else []
    rows = []
    for attname in sorted(entry.changes, key=lambda name: (order.index(name) if name in order else len(order), name)):
        before, after = entry.changes[attname]
        field = _field(model, attname)
        name = str(field.verbose_name) if field is not None else attname
        shown = (_value(field, before), _value(field, after))
        if shown[0] != shown[1]:
            rows.append((name, *shown))
    return rows
