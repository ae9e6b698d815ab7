"""What the token and key admins share: revoking the selected rows through their service, by prefix."""

from collections.abc import Callable

from django.contrib import messages


def revoke_selected(modeladmin, request, queryset, *, revoke: Callable[..., object], counted: Callable[[int], str]):
    """Revoke every selected row not revoked yet (``revoke(prefix=…)``) and say how many (``counted(n)``)."""
    prefixes = list(queryset.filter(revoked_at__isnull=True).values_list("prefix", flat=True))
    for prefix in prefixes:
        revoke(prefix=prefix)
    modeladmin.message_user(request, counted(len(prefixes)), messages.SUCCESS)
