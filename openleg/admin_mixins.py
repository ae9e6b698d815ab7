import functools
from decimal import Decimal

from django import forms
from django.contrib import admin
from django.db import models

from openleg.formats import format_price, places_carried


class ReadOnlyAdminMixin:
    """Records that the admin shows but never lets anyone add, change or delete (history, imports)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def formatted_field(model, name: str, format_value):
    """A changelist column showing ``model.name`` through a function of openleg.formats (a price as 18.50, not the
    stored 18.5000), under the field's label and sortable by it; an empty value shows as "–"."""

    @admin.display(description=model._meta.get_field(name).verbose_name, ordering=name)
    def column(obj) -> str:
        value = getattr(obj, name)
        return "–" if value is None else format_value(value)

    column.__name__ = name  # the cell's CSS class (field-…), as for the plain field
    return column


@functools.cache
def price_display(model, name: str):
    """A read-only price of ``model`` as it carries (18.50, 22.125): the same callable for a name each time, so that
    an admin can list it in ``fields`` and ``readonly_fields`` alike."""
    return formatted_field(model, name, format_price)


class CarriedDecimalField(forms.DecimalField):
    """A stored decimal offered for editing as it carries, with at least two decimals (18.50, not the stored
    18.5000); plain, without thousands separators, so that it is read back as written."""

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format(value.quantize(Decimal(1).scaleb(-places_carried(value, 2))), "f")
        return super().prepare_value(value)


class CarriedDecimalsMixin:
    """For a ModelAdmin or an inline: every decimal input shows the precision its value carries."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DecimalField):
            kwargs.setdefault("form_class", CarriedDecimalField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)
