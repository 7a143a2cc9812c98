"""Visa support letters: the academy's letterhead and signatory, and the register of letters.

The register (`VisaLetter`) is the academy's record of which letter number went to whom for which
edition, by whom and when. It holds no passport name, nationality or travel date: a letter's PDF
is made from the invitation each time it is needed, so when the retention purge erases the
passport data (forums.services.retention) the register stays whole and no copy of what was
erased survives anywhere, the outbox included (the emailed PDF is made at sending time).

Numbers are `<n>/<year>/HV-HTQT`, n from 1 each calendar year; a unique constraint on
(year, n) is what makes two staff issuing at once never share one (forums.services.visa_letters
allocates them and retries on a clash).
"""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .forums import Edition
from .invitations import Invitation

# The academy's register suffix: Học viện (HV) - Hợp tác quốc tế (HTQT).
REGISTER_SUFFIX = "HV-HTQT"
LETTERHEAD_SETTINGS_ID = 1


class LetterSettings(models.Model):
    """The one row of letterhead and signatory every visa support letter uses."""

    letterhead = models.ImageField(
        _("letterhead"),
        upload_to="letterhead/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg"])],
        help_text=_(
            "An image (PNG or JPEG) printed across the top of every letter, e.g. the academy's "
            "logo and address. Without one, the letter starts with the academy's name."
        ),
    )
    signatory_name = models.CharField(_("signatory's name"), max_length=200)
    signatory_title = models.CharField(
        _("signatory's title"), max_length=200, help_text=_("In English, e.g. Vice President.")
    )
    signatory_title_vi = models.CharField(
        _("signatory's title in Vietnamese"),
        max_length=200,
        help_text=_("e.g. Phó Giám đốc."),
    )
    city = models.CharField(
        _("place of issue"), max_length=100, default="Hà Nội", help_text=_("e.g. Hà Nội.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("letter settings")
        verbose_name_plural = _("letter settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(pk=LETTERHEAD_SETTINGS_ID), name="forums_lettersettings_single_row"
            )
        ]

    def __str__(self):
        return str(_("Letterhead and signatory"))

    @classmethod
    def current(cls) -> "LetterSettings":
        """The saved settings, or (unsaved) empty ones: a letter is still made without them."""
        return cls.objects.filter(pk=LETTERHEAD_SETTINGS_ID).first() or cls(
            pk=LETTERHEAD_SETTINGS_ID
        )


class VisaLetterQuerySet(models.QuerySet):
    def current(self):
        """The latest letter of each invitation (a new number replaces the older one)."""
        return self.filter(replaced_by__isnull=True)


class VisaLetter(models.Model):
    """One number of the register: a visa support letter issued to an invited expert."""

    class Language(models.TextChoices):
        BILINGUAL = "vi+en", _("Vietnamese and English")
        VIETNAMESE = "vi", _("Vietnamese")
        ENGLISH = "en", _("English")

    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    # PROTECT: the register outlives everything but the deliberate deletion of its rows.
    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.PROTECT,
        related_name="visa_letters",
        verbose_name=_("invitation"),
    )
    expert = models.ForeignKey(
        "experts.Expert",
        on_delete=models.PROTECT,
        related_name="visa_letters",
        verbose_name=_("expert"),
    )
    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="visa_letters", verbose_name=_("edition")
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.BILINGUAL
    )
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )

    objects = VisaLetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("visa support letter")
        verbose_name_plural = _("visa support letters")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                "year", "number", name="forums_visaletter_unique_number_per_year"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="forums_visaletter_number_pos"),
        ]
        indexes = [models.Index(fields=["edition", "year"], name="forums_visaletter_edition")]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        """The number written on the letter: "12/2026/HV-HTQT"."""
        return f"{self.number}/{self.year}/{REGISTER_SUFFIX}"
