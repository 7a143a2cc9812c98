from django.urls import path

from . import views

app_name = "experts"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/profile/", views.edit_profile, name="edit_profile"),
]
