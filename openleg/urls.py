from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.forms import ThrottledAdminAuthenticationForm
from accounts.views import admin_login
from openleg.file_views import protected_file
from openleg.health import healthz
from openleg.metrics_view import metrics
from subscriptions.webhook import stripe_webhook

admin.site.site_header = "OpenLEG"
admin.site.site_title = "OpenLEG"
admin.site.index_title = "Backoffice"
# The index and the breadcrumbs lead everywhere; the sidebar repeating them took 300 px from every list.
admin.site.enable_nav_sidebar = False
admin.site.login_form = ThrottledAdminAuthenticationForm

# A failure no view handled: 503 for an unreachable service, the API's error shape under /api/ (openleg.error_views).
handler500 = "openleg.error_views.server_error"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:home", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
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
