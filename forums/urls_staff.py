"""Staff pages of the forums app, mounted under /staff/forums/ (academy_portal/urls.py).

admin_view: the admin's sign-in and second factor, never cached, CSRF-protected."""

from django.contrib import admin
from django.urls import path

from . import views_recommend, views_staff

app_name = "forums_staff"

urlpatterns = [
    path(
        "editions/<int:edition_id>/participants/",
        admin.site.admin_view(views_staff.participants),
        name="participants",
    ),
    path(
        "editions/<int:edition_id>/visa-letters/issue/",
        admin.site.admin_view(views_staff.issue_edition_letters),
        name="issue_visa_letters",
    ),
    path(
        "editions/<int:edition_id>/suggestions/",
        admin.site.admin_view(views_recommend.suggestions),
        name="suggestions",
    ),
    path(
        "visa-letters/<int:letter_id>/pdf/",
        admin.site.admin_view(views_staff.visa_letter_pdf),
        name="visa_letter_pdf",
    ),
]
