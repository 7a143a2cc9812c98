"""The portal's admin site: translated titles, a staff home, and sign-in through allauth.

Installed through `PortalAdminConfig` (in INSTALLED_APPS in place of "django.contrib.admin"),
so `admin.site` and every `@admin.register` use this site.

The admin has no sign-in form of its own: its login page sends staff to the portal's sign-in
(allauth: password, then the authenticator code, with allauth's throttling of failed
attempts), and only sessions that completed those steps count as having admin access.
"""

from urllib.parse import quote

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

# Apps only administrators need on the staff home and in the sidebar: the site's domain,
# sign-in email addresses and authenticators (a superuser deletes a lost authenticator).
ADMINISTRATOR_ONLY_APPS = frozenset({"sites", "account", "mfa"})


def is_portal_administrator(user) -> bool:
    # Managing staff accounts is the administrators' right (roles.ROLE_RULES) and a superuser's;
    # read from the permissions the admin has already loaded, so no extra query.
    return user.has_perm("auth.change_user")


class PortalAdminSite(admin.AdminSite):
    site_header = _("Academy Portal")
    site_title = _("Academy Portal")
    index_title = _("Staff home")

    def has_permission(self, request):
        # Also checked by StaffSecondFactorMiddleware; kept here so no admin view depends on
        # the middleware's order or its list of exempt paths. (Imported here, like the
        # dashboard below: this module loads before the app registry is ready.)
        from academy_portal.core.signin import StaffAccess, staff_access  # noqa: PLC0415 - see above

        return super().has_permission(request) and staff_access(request) is StaffAccess.GRANTED

    def login(self, request, extra_context=None):
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or index
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = index
        if request.user.is_authenticated:
            from academy_portal.core.signin import is_staff_account  # noqa: PLC0415 - app registry

            if is_staff_account(request.user) and self.has_permission(request):
                return HttpResponseRedirect(next_url)
            # Signed in, but not as staff (an expert): say so rather than loop through sign-in.
            return TemplateResponse(request, "account/staff_only.html", status=403)
        return HttpResponseRedirect(f"{reverse('account_login')}?next={quote(next_url)}")

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        if is_portal_administrator(request.user):
            return app_list
        return [app for app in app_list if app["app_label"] not in ADMINISTRATOR_ONLY_APPS]

    def index(self, request, extra_context=None):
        # Imported here: this module is loaded while the app registry is still being built.
        from academy_portal.staff.dashboard import get_staff_home_context  # noqa: PLC0415 - see above

        context = {**get_staff_home_context(user=request.user), **(extra_context or {})}
        return super().index(request, extra_context=context)


class PortalAdminConfig(AdminConfig):
    default_site = "academy_portal.staff.admin_site.PortalAdminSite"
