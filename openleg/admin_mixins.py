from django.contrib import admin


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
