"""Staff endpoint of the forums API: invitations per edition counted by status.

Behind a token with the `invitations:read` scope (academy_portal.core.api); every request is
written to the access log. Counts only: no expert is named.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from academy_portal.core.api import StaffApiMixin
from academy_portal.core.models import ApiToken
from forums.api.selectors import invitation_counts
from forums.api.serializers import (
    EditionFilterSerializer,
    InvitationCountsSerializer,
    filter_editions,
)
from forums.models import Edition


@extend_schema(tags=["staff"], parameters=[EditionFilterSerializer])
class InvitationCounts(StaffApiMixin, generics.ListAPIView):
    """Every edition (published or not), earliest first, with its invitations by status."""

    required_scope = ApiToken.Scope.INVITATIONS_READ
    serializer_class = InvitationCountsSerializer

    def get_queryset(self):
        filters = EditionFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        editions = Edition.objects.select_related("forum")
        return filter_editions(editions, filters=filters.validated_data).order_by(
            "start_date", "pk"
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        ids = [edition.pk for edition in page]
        context = {**self.get_serializer_context(), "counts": invitation_counts(edition_ids=ids)}
        data = InvitationCountsSerializer(page, many=True, context=context).data
        self.log_read(model=Edition, object_ids=ids)
        return self.get_paginated_response(data)
