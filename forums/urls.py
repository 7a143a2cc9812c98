from django.urls import path

from . import views

app_name = "forums"

urlpatterns = [
    path("rsvp/<path:token>/", views.rsvp, name="rsvp"),
    path("me/invitations/<int:pk>/", views.my_invitation, name="my_invitation"),
    path("privacy/", views.privacy, name="privacy"),
]
