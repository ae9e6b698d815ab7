"""The utility portal under /utility/: one URL namespace ("portal") made of each app's portal pages."""

from api import portal_urls as api_pages
from billing import portal_urls as billing_pages
from communities import portal_urls as community_pages
from metering import portal_urls as meter_pages
from subscriptions import portal_urls as subscription_pages

app_name = "portal"

urlpatterns = [
    *community_pages.urlpatterns,
    *meter_pages.urlpatterns,
    *billing_pages.urlpatterns,
    *subscription_pages.urlpatterns,
    *api_pages.urlpatterns,
]
