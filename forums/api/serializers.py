"""JSON shapes of the API. The public ones are built from forums.programme's reads (the same
objects the public pages render) and carry no field those pages do not show."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from forums.models import Invitation


def in_language(obj, field: str) -> str:
    return obj.text_in(field, None)


class EditionFilterSerializer(serializers.Serializer):
    """The editions' filters: `?forum=<slug>&from=<date>&to=<date>` (editions overlapping)."""

    forum = serializers.SlugField(required=False, help_text="A forum's slug.")
    # "from" is a Python keyword: declared below under its query-string name.
    to = serializers.DateField(
        required=False, help_text="Editions starting on or before this date (YYYY-MM-DD)."
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False, help_text="Editions ending on or after this date (YYYY-MM-DD)."
        )
        return fields

    def validate(self, attrs):
        start, end = attrs.get("from"), attrs.get("to")
        if start and end and start > end:
            raise serializers.ValidationError({"to": _("“to” must not be before “from”.")})
        return attrs


def filter_editions(queryset, *, filters: dict):
    if filters.get("forum"):
        queryset = queryset.filter(forum__slug=filters["forum"])
    if filters.get("from"):
        queryset = queryset.filter(end_date__gte=filters["from"])
    if filters.get("to"):
        queryset = queryset.filter(start_date__lte=filters["to"])
    return queryset


class ForumSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.SerializerMethodField()
    editions_url = serializers.SerializerMethodField()

    def get_name(self, forum) -> str:
        return in_language(forum, "name")

    def get_editions_url(self, forum) -> str:
        return f"{reverse('api:edition_list')}?forum={forum.slug}"


class EditionSerializer(serializers.Serializer):
    forum = serializers.SlugField(source="forum.slug")
    forum_name = serializers.SerializerMethodField()
    number = serializers.IntegerField()
    title = serializers.SerializerMethodField()
    theme = serializers.SerializerMethodField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    city = serializers.CharField()
    venue = serializers.SerializerMethodField()
    format = serializers.CharField()
    format_label = serializers.CharField(source="get_format_display")
    programme_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    def get_forum_name(self, edition) -> str:
        return in_language(edition.forum, "name")

    def get_title(self, edition) -> str:
        return in_language(edition, "title")

    def get_theme(self, edition) -> str:
        return in_language(edition, "theme")

    def get_venue(self, edition) -> str:
        return in_language(edition, "venue")

    def get_programme_url(self, edition) -> str:
        return reverse("api:edition_programme", args=[edition.forum.slug, edition.number])

    def get_page_url(self, edition) -> str:
        return reverse("forums:programme", args=[edition.forum.slug, edition.number])


class ListedPersonSerializer(serializers.Serializer):
    """A speaker or moderator as the public programme names them (honorific and name as one)."""

    role = serializers.CharField()
    role_label = serializers.CharField()
    name = serializers.CharField(source="display_name")
    affiliation = serializers.CharField()
    private_capacity = serializers.BooleanField()


class ProgrammeSessionSerializer(serializers.Serializer):
    title = serializers.CharField()
    kind = serializers.CharField(source="session.kind")
    kind_label = serializers.CharField(source="session.get_kind_display")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    room = serializers.CharField(source="session.room")
    closed_door = serializers.BooleanField()
    attribution = serializers.SerializerMethodField()
    attribution_label = serializers.SerializerMethodField()
    people = serializers.SerializerMethodField()

    # A closed-door session is "by invitation": no rule and no names, as on the public page.
    def get_attribution(self, entry) -> str | None:
        return None if entry.closed_door else entry.attribution

    def get_attribution_label(self, entry) -> str | None:
        return None if entry.closed_door else entry.attribution_label

    @extend_schema_field(ListedPersonSerializer(many=True))
    def get_people(self, entry):
        people = [] if entry.closed_door else entry.people
        return ListedPersonSerializer(people, many=True).data


class ProgrammeDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    sessions = ProgrammeSessionSerializer(many=True)


class RuleSerializer(serializers.Serializer):
    label = serializers.CharField()
    explanation = serializers.CharField()

    def to_representation(self, instance):
        label, explanation = instance
        return {"label": label, "explanation": explanation}


class ProgrammeSerializer(serializers.Serializer):
    """An edition with its programme: days in the edition's time zone, sessions, listed people."""

    edition = EditionSerializer()
    time_zone = serializers.CharField()
    days = ProgrammeDaySerializer(many=True)
    rules = RuleSerializer(many=True)


class InvitationCountsSerializer(serializers.Serializer):
    """An edition (any, published or not) with its invitations counted by status."""

    id = serializers.IntegerField()
    forum = serializers.SlugField(source="forum.slug")
    number = serializers.IntegerField()
    title = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    status = serializers.CharField()
    capacity = serializers.IntegerField(allow_null=True)
    invitations = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    def get_invitations(self, edition) -> dict[str, int]:
        counts = self.context["counts"].get(edition.pk, {})
        return {status: counts.get(status, 0) for status in Invitation.Status.values}

    def get_total(self, edition) -> int:
        return sum(self.context["counts"].get(edition.pk, {}).values())
