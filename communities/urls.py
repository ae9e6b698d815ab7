from django.urls import path

from communities import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("communities/<int:pk>/", views.community_detail, name="community"),
]

# Exports (issue 13, point 6): spreadsheets of a run and of a metering point's month.
from django.urls import re_path  # noqa: E402

from communities import export_views  # noqa: E402

urlpatterns += [
    re_path(
        r"^communities/(?P<pk>\d+)/runs/(?P<run_pk>\d+)/(?P<name>export\.xlsx|participants\.csv|days\.csv)$",
        export_views.run_export,
        name="run-export",
    ),
    re_path(
        r"^communities/(?P<pk>\d+)/points/(?P<point_pk>\d+)/(?P<year>\d{4})-(?P<month>\d{2})\.(?P<extension>xlsx|csv)$",
        export_views.point_month_export,
        name="point-month-export",
    ),
]

# Participant lists (issue 13, point 3): template, upload, preview and apply.
from communities import participant_list_views  # noqa: E402

urlpatterns += [
    re_path(
        r"^communities/(?P<pk>\d+)/participants/template\.(?P<extension>xlsx|csv)$",
        participant_list_views.template_download,
        name="participant-list-template",
    ),
    path("communities/<int:pk>/participants/upload/", participant_list_views.upload, name="participant-list-upload"),
    path(
        "communities/<int:pk>/participants/upload/<uuid:token>/",
        participant_list_views.preview,
        name="participant-list-preview",
    ),
    path(
        "communities/<int:pk>/participants/upload/<uuid:token>/apply/",
        participant_list_views.apply,
        name="participant-list-apply",
    ),
]

# Billing (issue 13, point 5): a community's runs, a run's page, compute, approve, cancel, the invoice PDFs.
from billing import portal_views as billing_views  # noqa: E402

urlpatterns += [
    path("communities/<int:pk>/billing/", billing_views.billing_overview, name="billing"),
    path("communities/<int:pk>/billing/compute/", billing_views.billing_compute, name="billing-compute"),
    path("communities/<int:pk>/billing/<int:run_pk>/", billing_views.billing_run, name="run"),
    path("communities/<int:pk>/billing/<int:run_pk>/approve/", billing_views.billing_approve, name="billing-approve"),
    path("communities/<int:pk>/billing/<int:run_pk>/cancel/", billing_views.billing_cancel, name="billing-cancel"),
    path(
        "communities/<int:pk>/billing/<int:run_pk>/invoices/<int:invoice_pk>.pdf",
        billing_views.billing_invoice_pdf,
        name="billing-invoice-pdf",
    ),
    path(
        "communities/<int:pk>/billing/<int:run_pk>/invoices.zip",
        billing_views.billing_invoices_zip,
        name="billing-invoices-zip",
    ),
]
