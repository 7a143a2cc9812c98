from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from academy_portal.core.units import AcademyUnit


class AttributionRule(models.TextChoices):
    CHATHAM_HOUSE = "chatham_house", _("Chatham House Rule")
    ON_THE_RECORD = "on_the_record", _("On the record")
    OFF_THE_RECORD = "off_the_record", _("Off the record")
    CLOSED_DOOR = "closed_door", _("Closed-door")


ATTRIBUTION_EXPLANATIONS = {
    AttributionRule.CHATHAM_HOUSE: _(
        "Participants are free to use the information received, but neither the identity nor "
        "the affiliation of the speaker(s), nor that of any other participant, may be revealed."
    ),
    AttributionRule.ON_THE_RECORD: _("Remarks may be quoted and attributed to the speaker."),
    AttributionRule.OFF_THE_RECORD: _("Remarks may not be quoted or reported."),
    AttributionRule.CLOSED_DOOR: _(
        "The session is restricted to invited participants; no press and no recording."
    ),
}


VIETNAMESE_HELP = _("Shown to experts who read Vietnamese; if empty, they see the English.")


class VietnameseText:
    """A model whose expert-facing texts have a Vietnamese twin `<field>_vi` (blank: none).

    `text_in` gives the text for a language: the Vietnamese one when asked for and filled in,
    otherwise the English one, so a page never shows an empty title."""

    vietnamese_fields: tuple[str, ...] = ()

    def text_in(self, field: str, language: str | None = None) -> str:
        """`field` in `language` (default: the active one), falling back to English."""
        if field not in self.vietnamese_fields:
            raise ValueError(f"{type(self).__name__}.{field} has no Vietnamese text")
        language = language or translation.get_language() or ""
        if language.split("-")[0] == "vi":
            vietnamese = getattr(self, f"{field}_vi")
            if vietnamese.strip():
                return vietnamese
        return getattr(self, field)


class Forum(VietnameseText, models.Model):
    class Track(models.TextChoices):
        TRACK_1_5 = "track_1_5", _("Track 1.5")
        TRACK_2 = "track_2", _("Track 2")

    name = models.CharField(_("name"), max_length=255, unique=True)
    name_vi = models.CharField(
        _("name in Vietnamese"), max_length=255, blank=True, help_text=VIETNAMESE_HELP
    )
    short_name = models.CharField(_("short name"), max_length=60)
    short_name_vi = models.CharField(
        _("short name in Vietnamese"), max_length=60, blank=True, help_text=VIETNAMESE_HELP
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    organising_unit = models.CharField(
        _("organising unit"), max_length=30, choices=AcademyUnit.choices
    )
    track = models.CharField(
        _("track"), max_length=20, choices=Track.choices, default=Track.TRACK_2
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["name"]

    vietnamese_fields = ("name", "short_name")

    def __str__(self):
        return self.name


class EditionQuerySet(models.QuerySet):
    def upcoming(self, *, today=None):
        today = today or timezone.localdate()
        return self.filter(end_date__gte=today).exclude(status=Edition.Status.ARCHIVED)

    def open_for_invitations(self):
        return self.filter(status=Edition.Status.INVITATIONS_OPEN)

    def published(self):
        """Editions whose programme staff published: the public pages and calendar show them."""
        return self.filter(programme_published_at__isnull=False, forum__active=True)


class Edition(VietnameseText, models.Model):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        HYBRID = "hybrid", _("Hybrid")
        ONLINE = "online", _("Online")

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        INVITATIONS_OPEN = "invitations_open", _("Invitations open")
        CLOSED = "closed", _("Invitations closed")
        HELD = "held", _("Held")
        ARCHIVED = "archived", _("Archived")

    forum = models.ForeignKey(
        Forum, on_delete=models.PROTECT, related_name="editions", verbose_name=_("forum")
    )
    number = models.PositiveSmallIntegerField(_("number"), help_text=_("e.g. 15 for the 15th"))
    title = models.CharField(_("title"), max_length=300)
    title_vi = models.CharField(
        _("title in Vietnamese"), max_length=300, blank=True, help_text=VIETNAMESE_HELP
    )
    theme = models.CharField(_("theme"), max_length=500, blank=True)
    theme_vi = models.CharField(
        _("theme in Vietnamese"), max_length=500, blank=True, help_text=VIETNAMESE_HELP
    )
    start_date = models.DateField(_("start date"))
    # Indexed: the retention purge picks editions by how long ago they ended.
    end_date = models.DateField(_("end date"), db_index=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    venue_vi = models.CharField(
        _("venue in Vietnamese"), max_length=255, blank=True, help_text=VIETNAMESE_HELP
    )
    format = models.CharField(
        _("format"), max_length=20, choices=Format.choices, default=Format.IN_PERSON
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNING
    )
    capacity = models.PositiveIntegerField(
        pgettext_lazy("number of seats", "capacity"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no limit."),
    )
    rsvp_deadline = models.DateField(_("RSVP deadline"), null=True, blank=True)
    default_attribution = models.CharField(
        _("default attribution rule"),
        max_length=20,
        choices=AttributionRule.choices,
        default=AttributionRule.CHATHAM_HOUSE,
    )
    allows_accompanying_person = models.BooleanField(
        _("accompanying persons allowed"), default=False
    )
    contact_email = models.EmailField(
        _("contact email"), blank=True, help_text=_("Shown to invitees who have questions.")
    )
    answer_notification_email = models.EmailField(
        _("notify staff of answers at"),
        blank=True,
        help_text=_(
            "If set, this address gets a short note whenever an invitee answers or changes "
            "their answer."
        ),
    )
    practical_information = models.TextField(
        _("practical information"),
        blank=True,
        help_text=_("Travel, accommodation and venue details sent to participants."),
    )
    practical_information_vi = models.TextField(
        _("practical information in Vietnamese"), blank=True, help_text=VIETNAMESE_HELP
    )
    # Set and cleared only by forums.services.programme (the admin's publish actions).
    programme_published_at = models.DateTimeField(
        _("programme published at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Empty: the programme is not public."),
    )
    # Raised by forums.services.programme whenever staff change the sessions' times or places:
    # part of every calendar entry's SEQUENCE, so calendars replace the older entry.
    schedule_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint("forum", "number", name="forums_edition_unique_forum_number"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="forums_edition_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(rsvp_deadline__isnull=True) | Q(rsvp_deadline__lte=F("end_date")),
                name="forums_edition_deadline_before_end",
                violation_error_message=_("The RSVP deadline cannot be after the edition ends."),
            ),
        ]

    vietnamese_fields = ("title", "theme", "venue", "practical_information")

    def __str__(self):
        return f"{self.forum.short_name} {self.number}: {self.title}"

    def get_absolute_url(self):
        return reverse("admin:forums_edition_change", args=[self.pk])

    @property
    def is_upcoming(self) -> bool:
        return self.end_date >= timezone.localdate()

    @property
    def is_published(self) -> bool:
        return self.programme_published_at is not None


class Session(VietnameseText, models.Model):
    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening")
        PLENARY = "plenary", _("Plenary")
        PANEL = "panel", _("Panel")
        ROUNDTABLE = "roundtable", _("Roundtable")
        WORKSHOP = "workshop", _("Workshop")
        CLOSING = "closing", _("Closing")

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("edition")
    )
    title = models.CharField(_("title"), max_length=300)
    title_vi = models.CharField(
        _("title in Vietnamese"), max_length=300, blank=True, help_text=VIETNAMESE_HELP
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PANEL)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=120, blank=True)
    attribution = models.CharField(
        _("attribution rule"),
        max_length=20,
        choices=AttributionRule.choices,
        blank=True,
        help_text=_("Leave empty to use the edition's default."),
    )
    description = models.TextField(_("description"), blank=True)
    closed_door = models.BooleanField(
        _("closed-door"),
        default=False,
        help_text=_(
            "By invitation only: the public programme and calendar show its title and "
            "“by invitation”, never who speaks or attends."
        ),
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")),
                name="forums_session_end_after_start",
                violation_error_message=_("A session cannot end before it starts."),
            ),
        ]

    vietnamese_fields = ("title",)

    def __str__(self):
        return self.title

    @property
    def effective_attribution(self) -> str:
        return self.attribution or self.edition.default_attribution

    @property
    def effective_attribution_label(self):
        return AttributionRule(self.effective_attribution).label

    @property
    def is_closed_door(self) -> bool:
        """Marked closed-door, or held under the closed-door rule: public pages name nobody."""
        return self.closed_door or self.effective_attribution == AttributionRule.CLOSED_DOOR


class SessionRole(models.Model):
    class Role(models.TextChoices):
        SPEAKER = "speaker", _("Speaker")
        MODERATOR = "moderator", _("Moderator")
        DISCUSSANT = "discussant", _("Discussant")
        RAPPORTEUR = "rapporteur", _("Rapporteur")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="roles", verbose_name=_("session")
    )
    expert = models.ForeignKey(
        "experts.Expert",
        on_delete=models.CASCADE,
        related_name="session_roles",
        verbose_name=_("expert"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("session role")
        verbose_name_plural = _("session roles")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                "session", "expert", "role", name="forums_sessionrole_unique_session_expert_role"
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.expert}"
