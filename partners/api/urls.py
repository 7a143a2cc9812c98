"""Routes of the partners API, under /api/v1/ in the "api" namespace (academy_portal/urls.py)."""

from django.urls import path

from partners.api import views

urlpatterns = [
    path("staff/mous/", views.MOUList.as_view(), name="mou_list"),
]
