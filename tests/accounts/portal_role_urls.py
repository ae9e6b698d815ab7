"""A URL guarded by a portal action, for the 403 page test (the real portal views come with issue 13)."""

from django.http import HttpResponse
from django.urls import include, path

from accounts.portal_roles import PortalAction, portal_action_required


@portal_action_required(PortalAction.APPROVE_BILLING)
def approve(request):
    return HttpResponse("freigegeben")


urlpatterns = [
    path("utility/approve/", approve),
    path("accounts/", include("accounts.urls")),
    path("utility/", include("openleg.portal_urls")),
]
