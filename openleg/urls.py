from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.forms import ThrottledAdminAuthenticationForm
from accounts.views import admin_login
from openleg.file_views import protected_file
from openleg.health import healthz
from subscriptions.webhook import stripe_webhook

admin.site.site_header = "OpenLEG"
admin.site.site_title = "OpenLEG"
admin.site.index_title = "Backoffice"
# The index and the breadcrumbs lead everywhere; the sidebar repeating them took 300 px from every list.
admin.site.enable_nav_sidebar = False
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:home", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("webhook/stripe", stripe_webhook, name="stripe-webhook"),
    path("djstripe/", include("djstripe.urls", namespace="djstripe")),  # dj-stripe's webhook/<uuid>/ endpoints
    path("admin/pipeline/", include("openleg.pipeline_dashboard")),  # the funnel dashboard, before the admin
    # the admin's own login, answering a locked try with 429 and Retry-After as the portal's does
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/", include("api.urls")),
    path("utility/", include("openleg.portal_urls")),
    path("documents/", include("documents.urls")),
    path("utility/documents/", include("documents.portal_urls")),
    # MEDIA_URL: stored files only through the permission check, in development and the demo too.
    path("files/<path:name>", protected_file, name="protected-file"),
]
