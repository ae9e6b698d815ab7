from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("deepsign/callback/<str:token>/", views.deepsign_callback, name="deepsign-callback"),
]
