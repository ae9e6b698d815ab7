"""The portal pages of communities: overview, participants and their lists, formation and its documents.

Composed with the other apps' portal pages into one URL namespace ("portal") by ``openleg/portal_urls.py``.
"""

from django.urls import path, re_path

from communities import participant_list_views, views
from communities.portal import community_edit, formation, formation_documents, participants, tariffs

urlpatterns = [
    path("", views.home, name="home"),
    path("communities/<int:pk>/", views.community_detail, name="community"),
    # Participant lists: template, upload, preview and apply.
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
    # Formation: a new community, its participants, points and memberships, tariffs, the workflow and documents.
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
