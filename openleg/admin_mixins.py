class ReadOnlyAdminMixin:
    """Records that the admin shows but never lets anyone add, change or delete (history, imports)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
