"""Routes of the forums API, under /api/v1/ in the "api" namespace (academy_portal/urls.py)."""

from django.urls import path

from forums.api import staff, views

urlpatterns = [
    path("forums/", views.ForumList.as_view(), name="forum_list"),
    path("editions/", views.EditionList.as_view(), name="edition_list"),
    path(
        "editions/<slug:forum_slug>/<int:number>/",
        views.EditionProgramme.as_view(),
        name="edition_programme",
    ),
    path("staff/invitation-counts/", staff.InvitationCounts.as_view(), name="invitation_counts"),
]
