from django.urls import path

from . import views, views_privacy

app_name = "forums"

urlpatterns = [
    path("rsvp/<path:token>/", views.rsvp, name="rsvp"),
    path("me/invitations/<int:pk>/", views.my_invitation, name="my_invitation"),
    path("me/data.json", views_privacy.my_data, name="my_data"),
    path("me/erasure/", views_privacy.my_erasure, name="my_erasure"),
    path("privacy/", views.privacy, name="privacy"),
]
