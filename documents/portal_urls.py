from django.urls import path

from documents import portal_views

app_name = "portal_documents"

urlpatterns = [
    path("<int:pk>/", portal_views.document_download, name="download"),
]
