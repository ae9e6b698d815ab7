"""Tenant scoping: staff see everything, a utility user only what belongs to its utility."""

from django.db.models import QuerySet


def scope_to_user(queryset: QuerySet, user, *, utility_path: str) -> QuerySet:
    """Limit ``queryset`` to what ``user`` may see; ``utility_path`` leads from the model to its utility."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.is_staff:
        return queryset
    if user.utility_id is None:
        return queryset.none()
    return queryset.filter(**{f"{utility_path}_id": user.utility_id})
