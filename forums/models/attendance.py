"""What happens at and after the edition: who came (check-in), what staff share afterwards
(materials) and what the participants thought of it (feedback).

Attendance is one `Presence` row per invitation, written only by forums.services.attendance:
"present" from the registration desk's check-in (or a staff correction), "absent" (a no-show)
when staff close the attendance of an ended edition (or correct it). No row: not known yet.

The check-in code on the badge and in the confirmation email is a credential of its own, not
the RSVP link: `Invitation.checkin_seed` is a random per-invitation seed, and the code is the
invitation id with an HMAC of id and seed (django.core.signing, keyed with SECRET_KEY). The
database holds no working code (a leaked dump lacks the key); a new seed revokes the old code.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forums import VIETNAMESE_HELP, Edition, VietnameseText
from .invitations import Invitation


class PresenceQuerySet(models.QuerySet):
    def present(self):
        return self.filter(status=Presence.Status.PRESENT)


class Presence(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("No-show")

    class Source(models.TextChoices):
        CHECK_IN = "check_in", _("Checked in at the registration desk")
        CORRECTION = "correction", _("Corrected by staff")
        CLOSING = "closing", _("Not checked in when attendance was closed")

    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="presence", verbose_name=_("invitation")
    )
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    source = models.CharField(_("recorded by way of"), max_length=12, choices=Source.choices)
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # When the thank-you email was queued for this participant (once per invitation).
    thanked_at = models.DateTimeField(_("thanked at"), null=True, blank=True)

    objects = PresenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["-recorded_at", "-id"]
        permissions = [
            ("check_in_participant", _("Can check participants in at the registration desk")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(thanked_at__isnull=True) | Q(status="present"),
                name="forums_presence_thanked_only_present",
                violation_error_message=_("Only participants who came are thanked."),
            ),
        ]

    def __str__(self):
        return f"{self.invitation.expert}: {self.get_status_display()}"


class EditionMaterial(VietnameseText, models.Model):
    """A file staff share with the participants after the edition (programme, slides ...)."""

    class Kind(models.TextChoices):
        PROGRAMME = "programme", _("Programme")
        PROCEEDINGS = "proceedings", _("Proceedings")
        SLIDES = "slides", _("Slides")
        OTHER = "other", _("Other")

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="materials", verbose_name=_("edition")
    )
    title = models.CharField(_("title"), max_length=300)
    title_vi = models.CharField(
        _("title in Vietnamese"), max_length=300, blank=True, help_text=VIETNAMESE_HELP
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(_("file"), upload_to="materials/%Y/")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    vietnamese_fields = ("title",)

    class Meta:
        verbose_name = _("edition material")
        verbose_name_plural = _("edition materials")
        ordering = ["order", "id"]

    def __str__(self):
        return self.title


class Feedback(models.Model):
    """A participant's short opinion of the edition: one per invitation, editable."""

    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("invitation")
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5),
                name="forums_feedback_rating_1_to_5",
                violation_error_message=_("Choose a rating from 1 to 5."),
            ),
        ]

    def __str__(self):
        return f"{self.invitation}: {self.rating}/5"
