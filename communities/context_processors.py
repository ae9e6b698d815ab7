"""The portal layout's navigation: the communities the user may see, read only when a template shows them."""

from django.utils.functional import SimpleLazyObject

from accounts.scoping import scope_to_user
from communities.models import Community


def portal_navigation(request) -> dict:
    """``nav_communities`` for templates/portal/base.html; a view that has the list already passes its own."""
    user = getattr(request, "user", None)
    return {"nav_communities": SimpleLazyObject(lambda: _navigation(user))}


def _navigation(user) -> list[Community]:
    if user is None:
        return []
    communities = Community.objects.order_by("name").only("pk", "name")
    return list(scope_to_user(communities, user, utility_path="utility"))
