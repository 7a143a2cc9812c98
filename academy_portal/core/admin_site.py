"""The portal's admin site: translated titles and a staff home instead of a bare app list.

Installed through `PortalAdminConfig` (in INSTALLED_APPS in place of "django.contrib.admin"),
so `admin.site` and every `@admin.register` use this site.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("Academy Portal")
    site_title = _("Academy Portal")
    index_title = _("Staff home")

    def index(self, request, extra_context=None):
        # Imported here: this module is loaded while the app registry is still being built.
        from academy_portal.core.dashboard import get_staff_home_context

        context = {**get_staff_home_context(user=request.user), **(extra_context or {})}
        return super().index(request, extra_context=context)


class PortalAdminConfig(AdminConfig):
    default_site = "academy_portal.core.admin_site.PortalAdminSite"
