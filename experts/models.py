from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.text import slugify
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from academy_portal.core.collation import vietnamese_sort_column
from academy_portal.core.text import fold_for_search, normalize_text

from .search import area_search_text

# The gender-neutral form of address of Vietnamese letters when none is recorded.
VIETNAMESE_DEFAULT_HONORIFIC = "Ông/Bà"


class ExpertiseArea(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    aliases = models.TextField(
        _("aliases"),
        blank=True,
        help_text=_(
            "Other names and abbreviations of this area, in English and Vietnamese, one a "
            "line (e.g. UNCLOS, law of the sea, luật biển). Searching the experts for any of "
            "them finds the experts in this area."
        ),
    )
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("expertise area")
        verbose_name_plural = _("expertise areas")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        self.search_text = area_search_text(name=self.name, aliases=self.aliases)
        super().save(*args, **kwargs)


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    VIETNAMESE = "vi", _("Vietnamese")


def expert_search_text(*, full_name: str, given_name: str, family_name: str, email: str) -> str:
    """Expert.search_text: the folded (case and diacritics ignored) names and email address that
    the admin's search matches word by word. The one formula: save() and the benches call it."""
    return fold_for_search(f"{full_name} {given_name} {family_name} {email}")


def expert_profile_search_text(*, position: str, affiliation_text: str) -> str:
    """Expert.profile_search_text: the folded position and affiliation as typed. A column of
    its own (trigram-indexed), not part of search_text: a term that names an expertise area
    finds the area's experts and those it names, not everyone whose affiliation shares a word
    with it ("Maritime University, Faculty of Law" for "maritime law")."""
    return fold_for_search(f"{position} {affiliation_text}")


def expert_name_sort_key(*, family_name: str, given_name: str) -> str:
    """Expert.name_sort_key: family name, then given name, in Vietnamese order (Đ after D, tones
    second). The one formula: save() and the migration that filled the column call it."""
    return vietnamese_sort_column(family_name, given_name)


class Expert(models.Model):
    class NameOrder(models.TextChoices):
        FAMILY_FIRST = "family_first", _("Family name first (e.g. Vietnamese, Chinese)")
        GIVEN_FIRST = "given_first", _("Given name first (e.g. English)")

    class Capacity(models.TextChoices):
        SCHOLAR = "scholar", _("Scholar")
        OFFICIAL_PRIVATE = "official_private", _("Official in a private capacity")
        DIPLOMAT = "diplomat", _("Diplomat")
        JOURNALIST = "journalist", _("Journalist")
        PRACTITIONER = "practitioner", _("Practitioner")

    honorific = models.CharField(
        _("honorific"), max_length=40, blank=True, help_text=_("e.g. Dr., Prof., Amb., Ms.")
    )
    # Letters in Vietnamese say "Kính gửi Ông/Bà ...": a form of address of their own, since
    # "Dear TS. ..." or "Kính gửi Dr. ..." reads wrong.
    honorific_vi = models.CharField(
        _("Vietnamese form of address"),
        max_length=40,
        blank=True,
        help_text=_("e.g. Ông, Bà, GS.TS., Đại sứ; if empty, Vietnamese letters say “Ông/Bà”."),
    )
    given_name = models.CharField(_("given name"), max_length=120)
    family_name = models.CharField(_("family name"), max_length=120, blank=True)
    name_order = models.CharField(
        _("name order"), max_length=20, choices=NameOrder.choices, default=NameOrder.GIVEN_FIRST
    )
    email = models.EmailField(_("email"), max_length=254)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    nationality = CountryField(_("nationality"), blank=True)
    country = CountryField(_("country of residence"), blank=True)
    position = models.CharField(_("position"), max_length=255, blank=True)
    affiliation = models.ForeignKey(
        "partners.Institution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experts",
        verbose_name=_("affiliation"),
    )
    affiliation_text = models.CharField(
        _("affiliation (free text)"),
        max_length=255,
        blank=True,
        help_text=_("Used when the institution is not a partner on file."),
    )
    capacity = models.CharField(
        pgettext_lazy("in which an expert attends", "capacity"),
        max_length=20,
        choices=Capacity.choices,
        default=Capacity.SCHOLAR,
    )
    expertise_areas = models.ManyToManyField(
        ExpertiseArea, blank=True, related_name="experts", verbose_name=_("expertise areas")
    )
    languages = models.CharField(
        _("languages spoken"), max_length=200, blank=True, help_text=_("e.g. English, Vietnamese")
    )
    bio = models.TextField(_("short bio"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    consent_to_contact = models.BooleanField(_("consents to be contacted"), default=False)
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    staff_notes = models.TextField(_("notes (staff only)"), blank=True)
    search_text = models.TextField(editable=False, blank=True)
    profile_search_text = models.TextField(editable=False, blank=True, default="")
    # Lists of experts sort on this (academy_portal.core.collation): plain text that sorts the
    # same on every database, so ORDER BY gives the Vietnamese order and the index serves it.
    name_sort_key = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["name_sort_key", "pk"]
        indexes = [
            models.Index(fields=["name_sort_key", "id"], name="experts_expert_name_order"),
            # The nationality filter lists the nationalities present: read from the index.
            models.Index(fields=["nationality"], name="experts_expert_nationality"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="experts_expert_unique_email_ci",
                violation_error_message=_("An expert with this email address already exists."),
            ),
            models.CheckConstraint(
                condition=Q(consent_to_contact=False) | Q(consent_given_on__isnull=False),
                name="experts_expert_consent_has_date",
                violation_error_message=_("Give the date on which consent was given."),
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.given_name = normalize_text(self.given_name)
        self.family_name = normalize_text(self.family_name)
        self.email = self.email.strip().lower()
        self.search_text = expert_search_text(
            full_name=self.full_name,
            given_name=self.given_name,
            family_name=self.family_name,
            email=self.email,
        )
        self.profile_search_text = expert_profile_search_text(
            position=self.position, affiliation_text=self.affiliation_text
        )
        self.name_sort_key = expert_name_sort_key(
            family_name=self.family_name, given_name=self.given_name
        )
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        """Name in the order the expert uses: "Nguyễn Hùng Sơn" or "Jane Smith"."""
        if self.name_order == self.NameOrder.FAMILY_FIRST:
            parts = [self.family_name, self.given_name]
        else:
            parts = [self.given_name, self.family_name]
        return " ".join(p for p in parts if p)

    @property
    def formal_name(self) -> str:
        return " ".join(p for p in [self.honorific, self.full_name] if p)

    def honorific_for(self, language: str | None) -> str:
        """The form of address in a letter in `language`: Vietnamese falls back to "Ông/Bà"."""
        if (language or "").split("-")[0] == "vi":
            return self.honorific_vi or VIETNAMESE_DEFAULT_HONORIFIC
        return self.honorific

    @property
    def addressed_as(self) -> str:
        """The formal name in the active language (pages: "Kính gửi Ông/Bà ...")."""
        return self.formal_name_for(get_language())

    def formal_name_for(self, language: str | None) -> str:
        """ "Dr. Jane Doe" in English, "Ông/Bà Jane Doe" (or "GS.TS. ...") in Vietnamese."""
        return " ".join(p for p in [self.honorific_for(language), self.full_name] if p)

    @property
    def affiliation_name(self) -> str:
        return self.affiliation.name if self.affiliation_id else self.affiliation_text
