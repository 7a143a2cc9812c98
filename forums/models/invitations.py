"""Invitations of experts to an edition, their history, editable email templates and reminder rules.

Status flow: draft -> sent -> accepted / declined / tentative (the expert may change the answer
until the RSVP deadline) -> withdrawn (by staff) / expired (no answer by the deadline).

Capacity and waitlist: when the edition has a capacity and the accepted invitations fill it, a
further "accept" becomes WAITLISTED (queued by `waitlisted_at`). When an accepted expert later
declines (or changes to tentative), the first waitlisted expert is promoted to ACCEPTED
automatically and emailed "a place has opened, you are confirmed; if you can no longer come,
decline via your link". One step, no second confirmation round that could leave a seat empty.

Tokens (forums/services/tokens.py): the personal RSVP link carries an HMAC-SHA256, keyed with
SECRET_KEY, of a random seed (`secrets.token_urlsafe(32)`). The row stores the seed and the
sha256 of the link token, never the token: a leaked database alone gives no working link, yet a
reminder can rebuild the very link the invitation carried. Re-sending or reissuing draws a new
seed and replaces the hash, so an older link stops working at once; withdrawing sets
`token_revoked_at`.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from forums.validators import validate_template_text

from .forums import Edition, Session, SessionRole


def new_checkin_seed() -> str:
    """A fresh random seed for an invitation's check-in code (forums.models.attendance)."""
    return secrets.token_urlsafe(16)


def hash_token(raw_token: str) -> str:
    """sha256 hex digest of a raw RSVP token: what the database stores and looks up."""
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


# Rows that still hold passport details, or any personal detail of an answer (with the reason
# for declining, which is free text about the expert's circumstances).
HOLDS_PASSPORT = ~Q(passport_name="") | ~Q(passport_nationality="")
HOLDS_PERSONAL_ANSWER = (
    HOLDS_PASSPORT
    | ~Q(dietary_needs="")
    | ~Q(accessibility_needs="")
    | Q(arrival_date__isnull=False)
    | Q(departure_date__isnull=False)
    | ~Q(accompanying_person="")
    | ~Q(decline_reason="")
)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        """Sent and not answered yet."""
        return self.filter(status=Invitation.Status.SENT)

    def answered(self):
        return self.filter(status__in=Invitation.ANSWERED_STATUSES)

    def for_token(self, raw_token: str):
        return self.filter(token_hash=hash_token(raw_token or ""))

    def with_related(self):
        return self.select_related("edition__forum", "expert", "offered_session", "invited_by")


class Invitation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (not sent)")
        SENT = "sent", _("Sent, awaiting answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        TENTATIVE = "tentative", _("Tentative")
        WAITLISTED = "waitlisted", _("Waitlisted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired (no answer)")

    class Attendance(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")

    ANSWERED_STATUSES = (Status.ACCEPTED, Status.DECLINED, Status.TENTATIVE, Status.WAITLISTED)
    ANSWERABLE_STATUSES = (Status.SENT, *ANSWERED_STATUSES)
    FINAL_STATUSES = (Status.WITHDRAWN, Status.EXPIRED)

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("edition")
    )
    expert = models.ForeignKey(
        "experts.Expert",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("expert"),
    )
    offered_session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offered_invitations",
        verbose_name=_("offered session"),
    )
    offered_role = models.CharField(
        _("offered role"), max_length=20, choices=SessionRole.Role.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    personal_message = models.TextField(
        _("personal message"), blank=True, help_text=_("Added to the invitation email.")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )

    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # Random seed of the current token (see forums.services.tokens).
    token_seed = models.CharField(max_length=64, blank=True, editable=False)
    token_issued_at = models.DateTimeField(_("link issued at"), null=True, blank=True)
    token_revoked_at = models.DateTimeField(_("link revoked at"), null=True, blank=True)
    # Seed of the check-in code on the badge (forums.models.attendance): not the RSVP link;
    # a new seed revokes the printed code.
    checkin_seed = models.CharField(
        max_length=32, blank=True, default=new_checkin_seed, editable=False
    )

    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    waitlisted_at = models.DateTimeField(_("waitlisted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # +1 on every answer: a form carries the version it showed, so a second tab cannot
    # silently overwrite an answer given in the first.
    version = models.PositiveIntegerField(default=0, editable=False)

    # The expert's answer
    attendance = models.CharField(
        _("attendance"), max_length=20, choices=Attendance.choices, blank=True
    )
    sessions_attending = models.ManyToManyField(
        Session, blank=True, related_name="attending_invitations", verbose_name=_("sessions")
    )
    dietary_needs = models.CharField(_("dietary needs"), max_length=500, blank=True)
    accessibility_needs = models.CharField(_("accessibility needs"), max_length=500, blank=True)
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    departure_date = models.DateField(_("departure date"), null=True, blank=True)
    needs_hotel = models.BooleanField(_("needs a hotel room"), default=False)
    needs_visa_letter = models.BooleanField(_("needs a visa support letter"), default=False)
    passport_name = models.CharField(_("name as in passport"), max_length=200, blank=True)
    passport_nationality = CountryField(_("passport nationality"), blank=True)
    accompanying_person = models.CharField(_("accompanying person"), max_length=200, blank=True)
    privacy_consent = models.BooleanField(_("consents to the privacy notice"), default=False)
    # Which notice the consent was given to (settings.PRIVACY_NOTICE_VERSION then), and when.
    privacy_notice_version = models.CharField(
        _("privacy notice version"), max_length=40, blank=True
    )
    privacy_consented_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    chatham_house_acknowledged = models.BooleanField(
        _("acknowledges the attribution rule"), default=False
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    # Given on the RSVP form; the public programme names a speaker or moderator only with it.
    listing_consent = models.BooleanField(
        _("agrees to be named in the public programme"), default=False
    )
    listing_consented_at = models.DateTimeField(_("agreed to be named at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        # Not "view_...": the viewer role gets every view_* permission (core.roles).
        permissions = [
            (
                "access_personal_details",
                _("Can read passport, dietary, accessibility and travel details"),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                "edition",
                "expert",
                name="forums_invitation_unique_edition_expert",
                violation_error_message=_("This expert is already invited to this edition."),
            ),
            models.CheckConstraint(
                condition=Q(arrival_date__isnull=True)
                | Q(departure_date__isnull=True)
                | Q(departure_date__gte=F("arrival_date")),
                name="forums_invitation_departure_after_arrival",
                violation_error_message=_("The departure date cannot be before the arrival date."),
            ),
        ]
        indexes = [
            models.Index(fields=["edition", "status"], name="forums_inv_edition_status"),
            # The staff list's default order: its first page is read from this index, not
            # sorted out of every invitation.
            models.Index(fields=["-created_at", "-id"], name="forums_inv_newest"),
            models.Index(fields=["edition", "waitlisted_at"], name="forums_inv_waitlist"),
            # The retention purge (forums.services.retention) reads only rows that still hold
            # what it erases: these partial indexes shrink as the purge works.
            models.Index(
                fields=["edition"],
                condition=HOLDS_PASSPORT,
                name="forums_inv_holds_passport",
            ),
            models.Index(
                fields=["status", "updated_at"],
                condition=HOLDS_PERSONAL_ANSWER,
                name="forums_inv_holds_personal",
            ),
        ]

    def __str__(self):
        return f"{self.expert} → {self.edition}"

    @property
    def deadline_passed(self) -> bool:
        deadline = self.edition.rsvp_deadline
        return deadline is not None and timezone.localdate() > deadline

    @property
    def edition_ended(self) -> bool:
        return timezone.localdate() > self.edition.end_date

    @property
    def is_final(self) -> bool:
        """Withdrawn or expired: the expert can no longer change anything."""
        return self.status in self.FINAL_STATUSES

    @property
    def token_revoked(self) -> bool:
        return self.token_revoked_at is not None or not self.token_hash

    @property
    def is_answerable(self) -> bool:
        return (
            self.status in self.ANSWERABLE_STATUSES
            and not self.deadline_passed
            and not self.edition_ended
            and not self.token_revoked
        )

    @property
    def answer(self) -> str:
        """The expert's answer as given: a waitlisted expert answered "accepted"."""
        if self.status == self.Status.WAITLISTED:
            return self.Status.ACCEPTED
        return self.status if self.status in self.ANSWERED_STATUSES else ""


class InvitationEvent(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        SENT = "sent", _("Sent")
        RESENT = "resent", _("Sent again")
        OPENED = "opened", _("Link opened")
        ANSWERED = "answered", _("Answered")
        CHANGED = "changed", _("Answer changed")
        REMINDED = "reminded", _("Reminded")
        WAITLISTED = "waitlisted", _("Waitlisted")
        OFFERED_PLACE = "offered_place", _("Place offered from the waitlist")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        TOKEN_REISSUED = "token_reissued", _("Link reissued")
        NOTE = "note", _("Note")
        DATA_ERASED = "data_erased", _("Personal data erased")
        CHECKED_IN = "checked_in", _("Checked in")
        ATTENDANCE = "attendance", _("Attendance recorded")
        CHECKIN_REISSUED = "checkin_reissued", _("Check-in code reissued")
        THANKED = "thanked", _("Thanked for attending")

    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="events", verbose_name=_("invitation")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by staff member"),
    )
    by_expert = models.BooleanField(_("by the expert"), default=False)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("invitation event")
        verbose_name_plural = _("invitation history")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({timezone.localtime(self.created_at):%Y-%m-%d %H:%M})"

    @property
    def actor_label(self) -> str:
        if self.by_expert:
            return str(_("the expert"))
        if self.actor_id:
            return self.actor.get_username()
        return str(_("the portal"))


class EmailTemplate(models.Model):
    """Subject and plain-text body of one kind of email in one language.

    A row without an edition is the default for all editions; a row for an edition overrides it.
    Placeholders use Django template syntax: {{ name }}, {{ rsvp_link }} ...
    """

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER_UNANSWERED = "reminder_unanswered", _("Reminder: please answer")
        REMINDER_PARTICIPANT = "reminder_participant", _("Reminder to participants")
        CONFIRMATION = "confirmation", _("Confirmation of attendance")
        WAITLISTED = "waitlisted", _("Placed on the waitlist")
        PLACE_OFFERED = "place_offered", _("A place has opened (from the waitlist)")
        WITHDRAWN = "withdrawn", _("Invitation withdrawn")
        THANK_YOU = "thank_you", _("Thank you for attending")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    edition = models.ForeignKey(
        Edition,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="email_templates",
        verbose_name=_("edition"),
        help_text=_("Leave empty for the default used by every edition."),
    )
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(
        _("body"),
        help_text=_(
            "Plain text. Blank lines separate paragraphs. Placeholders such as {{ name }} "
            "are replaced for each recipient."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")
        ordering = ["edition_id", "kind", "language"]
        constraints = [
            models.UniqueConstraint(
                "kind",
                "language",
                condition=Q(edition__isnull=True),
                name="forums_emailtemplate_unique_default",
                violation_error_message=_("A default template of this kind and language exists."),
            ),
            models.UniqueConstraint(
                "kind",
                "language",
                "edition",
                name="forums_emailtemplate_unique_per_edition",
                violation_error_message=_(
                    "This edition already has a template of this kind and language."
                ),
            ),
        ]

    def __str__(self):
        scope = self.edition or _("all editions")
        return f"{self.get_kind_display()} [{self.language}] - {scope}"

    def clean(self):
        # The names are those the email service fills in; the rules are the sandbox's.
        validate_template_text(subject=self.subject, body=self.body)


class ReminderRule(models.Model):
    class Audience(models.TextChoices):
        NON_RESPONDERS = "non_responders", _("Experts who have not answered")
        PARTICIPANTS = "participants", _("Confirmed participants")

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="reminder_rules", verbose_name=_("edition")
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    days = models.PositiveSmallIntegerField(
        _("days before"),
        help_text=_(
            "Days before the RSVP deadline (non-responders) or before the edition starts "
            "(participants)."
        ),
    )
    template_kind = models.CharField(
        _("email template"),
        max_length=30,
        choices=EmailTemplate.Kind.choices,
        blank=True,
        help_text=_("Leave empty for the usual reminder of this audience."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["edition", "audience", "-days"]
        constraints = [
            models.UniqueConstraint(
                "edition",
                "audience",
                "days",
                name="forums_reminderrule_unique",
                violation_error_message=_("This edition already has this reminder."),
            ),
        ]

    def __str__(self):
        return _("%(audience)s, %(days)s days before") % {
            "audience": self.get_audience_display(),
            "days": self.days,
        }

    @property
    def effective_template_kind(self) -> str:
        if self.template_kind:
            return self.template_kind
        if self.audience == self.Audience.PARTICIPANTS:
            return EmailTemplate.Kind.REMINDER_PARTICIPANT
        return EmailTemplate.Kind.REMINDER_UNANSWERED

    def anchor_date(self):
        """The date the rule counts back from (None: the edition has no RSVP deadline)."""
        if self.audience == self.Audience.PARTICIPANTS:
            return self.edition.start_date
        return self.edition.rsvp_deadline
