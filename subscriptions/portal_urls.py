"""The portal's subscription page. Part of the "portal" namespace (``openleg/portal_urls.py``)."""

from django.urls import path

from subscriptions import portal_views as views

urlpatterns = [path("billing/", views.subscription, name="subscription")]
