from django.apps import AppConfig


class StaffConfig(AppConfig):
    """The staff home (the admin index with its dashboard): the top layer, beside the demo."""

    name = "academy_portal.staff"
    label = "staff"
