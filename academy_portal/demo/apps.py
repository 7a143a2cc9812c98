from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and `manage.py load_demo`: the top layer, it may import every app."""

    name = "academy_portal.demo"
    label = "demo"
