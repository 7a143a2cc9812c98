from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.http import Http404
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import forums.api.urls
import partners.api.urls
from academy_portal.core import views as core_views
from partners import views_delegation


def _closed(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The read-only JSON API (README, API), its OpenAPI schema and docs.
    path(
        "api/v1/", include(([*forums.api.urls.urlpatterns, *partners.api.urls.urlpatterns], "api"))
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api_schema", template_name="api/swagger_ui.html"
        ),
        name="api_docs",
    ),
    path("staff/partners/", include("partners.urls")),
    path("staff/forums/", include("forums.urls_staff")),
    path("staff/dashboard/", include("academy_portal.staff.urls")),
    # allauth's email management is closed: an account's address is the one the academy has
    # on file (the Expert record; staff in the admin). Adding addresses let an expert attach a
    # colleague's address and receive the colleague's sign-in in their own account.
    path("accounts/email/", _closed),
    path("accounts/", include("allauth.urls")),
    path("", include("experts.urls")),
    path("", include("forums.urls")),
    path("delegation/<str:token>/", views_delegation.delegation, name="delegation"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
