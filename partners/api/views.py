"""The MOU list for staff clients: behind a token with the `mous:read` scope, every request
written to the access log (academy_portal.core.api)."""

from django.db.models import F
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from academy_portal.core.api import StaffApiMixin
from academy_portal.core.models import ApiToken
from partners.api.serializers import MOUFilterSerializer, MOUSerializer, filter_mous
from partners.models import MOU


@extend_schema(tags=["staff"], parameters=[MOUFilterSerializer])
class MOUList(StaffApiMixin, generics.ListAPIView):
    """MOUs by expiry date (open-ended last), with their institution's name."""

    required_scope = ApiToken.Scope.MOUS_READ
    serializer_class = MOUSerializer

    def get_queryset(self):
        filters = MOUFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        mous = MOU.objects.select_related("institution").order_by(
            F("expires_on").asc(nulls_last=True), "title", "pk"
        )
        return filter_mous(mous, filters=filters.validated_data)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        data = self.get_serializer(page, many=True).data
        self.log_read(model=MOU, object_ids=[mou.pk for mou in page])
        return self.get_paginated_response(data)
