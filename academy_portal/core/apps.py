import django_countries
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "academy_portal.core"
    label = "core"
    verbose_name = _("Portal")

    def ready(self):
        from django.core.signals import request_finished  # noqa: PLC0415 - app registry: import in ready()
        from django.db.models.signals import post_migrate  # noqa: PLC0415 - app registry: import in ready()

        from . import checks  # noqa: F401, PLC0415 - imported in ready() to register the checks
        from .countries import country_sort_key  # noqa: PLC0415 - app registry: import in ready()
        from .observability import forget_request_id  # noqa: PLC0415 - app registry: import in ready()
        from .roles import sync_roles_after_migrate  # noqa: PLC0415 - app registry: import in ready()

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="core.sync_roles")
        request_finished.connect(forget_request_id, dispatch_uid="core.forget_request_id")
        # Country lists in Vietnamese order (Đ after D): django-countries looks its module-level
        # sort_key up on every sort, and has no setting for a collation.
        if not hasattr(django_countries.sort_key, "wrapped"):
            django_countries.sort_key = country_sort_key(django_countries.sort_key)
