from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from academy_portal.core.units import AcademyUnit
from partners.models import MOU


class MOUFilterSerializer(serializers.Serializer):
    """`?status=` (stored, or "expiring") and `?unit=` (an academy unit)."""

    status = serializers.ChoiceField(
        choices=[*MOU.Status.values, MOU.EXPIRING], required=False, help_text="An MOU status."
    )
    unit = serializers.ChoiceField(
        choices=AcademyUnit.values, required=False, help_text="The academy unit responsible."
    )


def filter_mous(queryset, *, filters: dict):
    status = filters.get("status")
    if status == MOU.EXPIRING:
        queryset = queryset.expiring()
    elif status:
        queryset = queryset.filter(status=status)
    if filters.get("unit"):
        queryset = queryset.filter(academy_unit=filters["unit"])
    return queryset


class MOUSerializer(serializers.ModelSerializer):
    """An MOU without its signatories, notes or document: no personal data."""

    status = serializers.CharField(source="display_status", help_text=_("“expiring” is derived."))
    status_label = serializers.CharField(source="display_status_label")
    unit = serializers.CharField(source="academy_unit")
    unit_label = serializers.CharField(source="get_academy_unit_display")
    institution = serializers.CharField(source="institution.name")
    institution_id = serializers.IntegerField()
    supersedes_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = MOU
        fields = [
            "id",
            "title",
            "status",
            "status_label",
            "unit",
            "unit_label",
            "signed_on",
            "effective_from",
            "expires_on",
            "institution",
            "institution_id",
            "supersedes_id",
        ]
