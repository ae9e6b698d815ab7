"""The portal pages of billing: a community's runs, a run's page, compute, approve, cancel, the invoice PDFs and
the run's spreadsheets. Part of the "portal" namespace (``openleg/portal_urls.py``)."""

from django.urls import path, re_path

from billing import portal_views as views

urlpatterns = [
    path("communities/<int:pk>/billing/", views.billing_overview, name="billing"),
    path("communities/<int:pk>/billing/compute/", views.billing_compute, name="billing-compute"),
    path("communities/<int:pk>/billing/<int:run_pk>/", views.billing_run, name="run"),
    path(
        "communities/<int:pk>/billing/<int:run_pk>/participants/<int:participant_pk>/",
        views.billing_run_participant,
        name="run-participant",
    ),
    path("communities/<int:pk>/billing/<int:run_pk>/approve/", views.billing_approve, name="billing-approve"),
    path("communities/<int:pk>/billing/<int:run_pk>/cancel/", views.billing_cancel, name="billing-cancel"),
    path(
        "communities/<int:pk>/billing/<int:run_pk>/invoices/<int:invoice_pk>.pdf",
        views.billing_invoice_pdf,
        name="billing-invoice-pdf",
    ),
    path(
        "communities/<int:pk>/billing/<int:run_pk>/invoices.zip",
        views.billing_invoices_zip,
        name="billing-invoices-zip",
    ),
    re_path(
        r"^communities/(?P<pk>\d+)/runs/(?P<run_pk>\d+)/(?P<name>export\.xlsx|participants\.csv|days\.csv)$",
        views.run_export,
        name="run-export",
    ),
]
