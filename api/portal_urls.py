"""The portal's API-key pages. Part of the "portal" namespace (``openleg/portal_urls.py``)."""

from django.urls import path

from api import portal_views as views

urlpatterns = [
    path("api-keys/", views.api_keys, name="api-keys"),
    path("api-keys/<int:key_pk>/revoke/", views.api_key_revoke, name="api-key-revoke"),
]
