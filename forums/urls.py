from django.urls import path

from . import views, views_checkin, views_materials, views_privacy, views_programme

app_name = "forums"

urlpatterns = [
    path("forums/", views_programme.forum_index, name="forum_index"),
    path("forums/calendar.ics", views_programme.public_calendar, name="calendar"),
    path("forums/<slug:forum_slug>/<int:number>/", views_programme.programme, name="programme"),
    # Before the RSVP page's route, whose token is a path.
    path("rsvp/<str:token>/calendar.ics", views_programme.rsvp_calendar, name="rsvp_calendar"),
    path("rsvp/<path:token>/", views.rsvp, name="rsvp"),
    path("me/invitations/<int:pk>/", views.my_invitation, name="my_invitation"),
    path("me/invitations/<int:pk>/materials/", views_materials.my_materials, name="my_materials"),
    path(
        "me/invitations/<int:pk>/materials/<int:material_id>/",
        views_materials.my_material_file,
        name="my_material_file",
    ),
    path(
        "me/invitations/<int:pk>/calendar.ics",
        views_programme.my_invitation_calendar,
        name="my_invitation_calendar",
    ),
    path("me/data.json", views_privacy.my_data, name="my_data"),
    path("me/erasure/", views_privacy.my_erasure, name="my_erasure"),
    path("privacy/", views.privacy, name="privacy"),
    path("checkin/desk/<int:edition_id>/", views_checkin.desk, name="checkin_desk"),
    path("checkin/<str:token>/", views_checkin.checkin, name="checkin"),
    path("materials/<str:token>/", views_materials.materials, name="materials"),
    path(
        "materials/<str:token>/<int:material_id>/",
        views_materials.material_file,
        name="material_file",
    ),
]
