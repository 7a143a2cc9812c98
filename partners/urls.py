from django.contrib import admin
from django.urls import path

from . import views

app_name = "partners"

# admin_view: staff login through the admin, never cached, CSRF-protected.
urlpatterns = [
    path(
        "<int:pk>/history/",
        admin.site.admin_view(views.institution_history),
        name="institution_history",
    ),
    path("mous/<int:pk>/renew/", admin.site.admin_view(views.renew_mou), name="mou_renew"),
]
