"""The dashboards' pages, mounted under /staff/dashboard/ (academy_portal/urls.py)."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "staff_dashboard"

urlpatterns = [
    path(
        "home/<slug:slug>.csv",
        admin.site.admin_view(views.home_chart_csv),
        name="home_chart_csv",
    ),
    path(
        "editions/<int:edition_id>/",
        admin.site.admin_view(views.edition_dashboard),
        name="edition",
    ),
]
