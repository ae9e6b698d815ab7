"""The portal pages of meter data: the utility's uploads and imports, a community's coverage calendar, and a
metering point's month as a spreadsheet. Part of the "portal" namespace (``openleg/portal_urls.py``)."""

from django.urls import path, re_path

from metering import portal_views as views

urlpatterns = [
    path("meter-data/", views.meter_data, name="meter-data"),
    path("meter-data/<int:import_pk>/", views.meter_import_detail, name="meter-import"),
    path("communities/<int:pk>/meter-data/", views.community_meter_data, name="community-meter-data"),
    re_path(
        r"^communities/(?P<pk>\d+)/meter-data/(?P<year>\d{4})-(?P<month>\d{2})/$",
        views.community_coverage_month,
        name="community-coverage",
    ),
    re_path(
        r"^communities/(?P<pk>\d+)/points/(?P<point_pk>\d+)/(?P<year>\d{4})-(?P<month>\d{2})\.(?P<extension>xlsx|csv)$",
        views.point_month_export,
        name="point-month-export",
    ),
]
