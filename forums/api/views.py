"""Public, read-only JSON of what the academy publishes, cacheable as the public pages are.

No sign-in and no token: anyone may read these, and they show what /forums/ and an edition's
programme page show (forums.programme's reads), in English or Vietnamese (`?lang=vi`, or the
browser's language). An unpublished edition is a 404. Each answer has an ETag (a conditional
GET is a 304) and `Cache-Control: public, max-age=300`, as the public pages.
"""

from django.conf import settings
from django.http import Http404
from django.utils import translation
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from forums.api.serializers import (
    EditionFilterSerializer,
    EditionSerializer,
    ForumSerializer,
    ProgrammeSerializer,
    filter_editions,
)
from forums.models import Edition, Forum
from forums.programme import edition_programme, published_edition
from forums.views_programme import _public, conditional

LANGUAGE_PARAMETER = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=[code for code, _name in settings.LANGUAGES],
    description="Language of titles and labels (default: the Accept-Language header).",
)


@method_decorator(conditional, name="dispatch")
class PublicApiView(generics.GenericAPIView):
    """No authentication, anyone may read; in the asked language; cacheable with an ETag."""

    authentication_classes = []
    permission_classes = []
    http_method_names = ["get", "head", "options"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        language = request.query_params.get("lang", "")
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            _public(response)
        return response


@extend_schema(tags=["public"], parameters=[LANGUAGE_PARAMETER])
class ForumList(PublicApiView, generics.ListAPIView):
    """Active forums, by name."""

    serializer_class = ForumSerializer
    queryset = Forum.objects.filter(active=True).order_by("name", "pk")


@extend_schema(tags=["public"], parameters=[EditionFilterSerializer, LANGUAGE_PARAMETER])
class EditionList(PublicApiView, generics.ListAPIView):
    """Published editions of active forums, earliest first; filter by forum and dates."""

    serializer_class = EditionSerializer

    def get_queryset(self):
        filters = EditionFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        editions = Edition.objects.published().select_related("forum")
        return filter_editions(editions, filters=filters.validated_data).order_by(
            "start_date", "pk"
        )


@extend_schema(tags=["public"], parameters=[LANGUAGE_PARAMETER], responses=ProgrammeSerializer)
class EditionProgramme(PublicApiView):
    """A published edition with its programme (three queries); 404 unless it is published."""

    serializer_class = ProgrammeSerializer

    def get(self, request, forum_slug: str, number: int):
        edition = published_edition(forum_slug=forum_slug, number=number)
        if edition is None:
            raise Http404
        programme = edition_programme(edition=edition)
        data = {
            "edition": edition,
            "time_zone": settings.TIME_ZONE,
            "days": programme.days,
            "rules": programme.rules,
        }
        return Response(ProgrammeSerializer(data).data)
