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

# Meter data (issue 13, point 4): the utility's uploads and imports, and a community's coverage calendar.
from metering import portal_views as meter_views  # noqa: E402

urlpatterns += [
    path("meter-data/", meter_views.meter_data, name="meter-data"),
    path("meter-data/<int:import_pk>/", meter_views.meter_import_detail, name="meter-import"),
    path("communities/<int:pk>/meter-data/", meter_views.community_meter_data, name="community-meter-data"),
    re_path(
        r"^communities/(?P<pk>\d+)/meter-data/(?P<year>\d{4})-(?P<month>\d{2})/$",
        meter_views.community_coverage_month,
        name="community-coverage",
    ),
]

# Formation (issue 13, point 3): create a community, its participants, points and memberships, the workflow and
# its documents.
from communities.portal import community_edit, formation, formation_documents, participants, tariffs  # noqa: E402

urlpatterns += [
    path("communities/new/", community_edit.community_new, name="community-new"),
    path("communities/<int:pk>/edit/", community_edit.community_edit, name="community-edit"),
    path("communities/<int:pk>/participants/", participants.participant_list, name="participants"),
    path("communities/<int:pk>/participants/new/", participants.participant_new, name="participant-new"),
    path(
        "communities/<int:pk>/participants/<int:participant_pk>/",
        participants.participant_detail,
        name="participant",
    ),
    path(
        "communities/<int:pk>/participants/<int:participant_pk>/leave/",
        participants.participant_leave,
        name="participant-leave",
    ),
    path(
        "communities/<int:pk>/participants/<int:participant_pk>/points/new/",
        participants.point_new,
        name="participant-point-new",
    ),
    path("communities/<int:pk>/points/<int:point_pk>/edit/", participants.point_edit, name="point-edit"),
    path(
        "communities/<int:pk>/memberships/<int:membership_pk>/end/",
        participants.membership_end,
        name="membership-end",
    ),
    path("communities/<int:pk>/tariffs/new/", tariffs.tariff_new, name="tariff-new"),
    path("communities/<int:pk>/formation/", formation.formation_page, name="formation"),
    path("communities/<int:pk>/formation/move/", formation.formation_move_view, name="formation-move"),
    path(
        "communities/<int:pk>/formation/documents/",
        formation_documents.documents_generate_view,
        name="formation-documents",
    ),
    path(
        "communities/<int:pk>/documents/<int:document_pk>/send/",
        formation_documents.document_send,
        name="document-send",
    ),
    path(
        "communities/<int:pk>/documents/<int:document_pk>/withdraw/",
        formation_documents.document_withdraw,
        name="document-withdraw",
    ),
    path(
        "communities/<int:pk>/documents/<int:document_pk>/paper/",
        formation_documents.document_paper_signature,
        name="document-paper",
    ),
]
