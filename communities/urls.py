from django.urls import path

from communities import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("communities/<int:pk>/", views.community_detail, name="community"),
]
