from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from academy_portal.core.collation import vietnamese_sort_column
from academy_portal.core.text import fold_for_search, normalize_text
from academy_portal.core.units import AcademyUnit


def institution_search_text(
    name: str, native_name: str = "", acronym: str = "", *, fold_word=fold_for_search
) -> str:
    """Institution.search_text: the folded words (case and diacritics ignored) of its name,
    native name and acronym, which the admin's search matches word by word. The one formula:
    save(), the partner import and the benches all call it.

    `fold_word` folds one word; the import passes a memoised fold_for_search (its fast path,
    pinned to this plain one by tests/partners/test_import_fast_paths.py)."""
    words = f"{name} {native_name or ''} {acronym or ''}".split()
    return " ".join(folded for folded in map(fold_word, words) if folded)


def institution_name_sort_key(name: str) -> str:
    """Institution.name_sort_key: the name in Vietnamese order (Đ after D, tones second). The one
    formula: save(), the partner import (which writes without save()) and the migration."""
    return vietnamese_sort_column(name)


class Institution(models.Model):
    class Kind(models.TextChoices):
        THINK_TANK = "think_tank", _("Think tank")
        UNIVERSITY = "university", _("University")
        GOVERNMENT_RESEARCH = "gov_research", _("Government research agency")
        NGO = "ngo", _("NGO")
        INTERNATIONAL_ORGANISATION = "intl_org", _("International organisation")

    name = models.CharField(_("name"), max_length=255)
    native_name = models.CharField(_("native-language name"), max_length=255, blank=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    search_text = models.TextField(editable=False, blank=True, db_index=False)
    # Lists of institutions sort on this, as experts do (experts.models.Expert.name_sort_key).
    name_sort_key = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name_sort_key", "pk"]
        indexes = [models.Index(fields=["name_sort_key", "id"], name="partners_inst_name_order")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "country",
                name="partners_institution_unique_name_country",
                violation_error_message=_(
                    "An institution with this name already exists in this country."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def save(self, *args, **kwargs):
        self.name = normalize_text(self.name)
        self.native_name = normalize_text(self.native_name)
        self.search_text = institution_search_text(self.name, self.native_name, self.acronym)
        self.name_sort_key = institution_name_sort_key(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("admin:partners_institution_change", args=[self.pk])


class MOUQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(status=MOU.Status.ACTIVE)

    def expiring_within(self, days: int, *, today=None):
        """Active MOUs whose expiry falls within the next `days` days (today included)."""
        today = today or timezone.localdate()
        return self.in_force().filter(
            expires_on__isnull=False,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=days),
        )

    def expiring(self, *, today=None):
        return self.expiring_within(settings.MOU_EXPIRING_WINDOW_DAYS, today=today)

    def past_expiry(self, *, today=None):
        today = today or timezone.localdate()
        return self.in_force().filter(expires_on__lt=today)


class MOU(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    # "Expiring" is derived from ACTIVE + the configurable window; it is never stored.
    EXPIRING = "expiring"
    EXPIRING_LABEL = _("Expiring")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="mous", verbose_name=_("institution")
    )
    title = models.CharField(_("title"), max_length=300)
    academy_unit = models.CharField(
        _("academy unit responsible"), max_length=30, choices=AcademyUnit.choices
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    expires_on = models.DateField(
        _("expires on"), null=True, blank=True, help_text=_("Leave empty for an open-ended MOU.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    areas_of_cooperation = models.TextField(
        _("areas of cooperation"), blank=True, help_text=_("One area per line.")
    )
    signatories = models.TextField(_("signatories"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    document = models.FileField(_("document"), upload_to="mous/%Y/", blank=True)
    renewal_notes = models.TextField(_("renewal notes"), blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
        help_text=_("The earlier MOU this one renews."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MOUQuerySet.as_manager()

    class Meta:
        verbose_name = _("MOU")
        verbose_name_plural = _("MOUs")
        ordering = ["expires_on", "title"]
        indexes = [
            # The daily expiry check and the "expiring" filters read active MOUs by expiry
            # date: only those due, not every MOU.
            models.Index(fields=["status", "expires_on"], name="partners_mou_status_expiry"),
        ]
        constraints = [
            models.UniqueConstraint(
                "institution", "title", "signed_on", name="partners_mou_unique_inst_title_signed"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(expires_on__gte=F("signed_on")),
                name="partners_mou_expiry_after_signing",
                violation_error_message=_("The expiry date cannot be before the signing date."),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(expires_on__gte=F("effective_from")),
                name="partners_mou_expiry_after_effective",
                violation_error_message=_("The expiry date cannot be before the effective date."),
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("id")),
                name="partners_mou_not_superseding_itself",
                violation_error_message=_("An MOU cannot supersede itself."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_expiring(self) -> bool:
        if self.status != self.Status.ACTIVE or self.expires_on is None:
            return False
        days_left = (self.expires_on - timezone.localdate()).days
        return 0 <= days_left <= settings.MOU_EXPIRING_WINDOW_DAYS

    @property
    def display_status(self) -> str:
        """The status staff see: stored status, with "expiring" derived for active MOUs."""
        return self.EXPIRING if self.is_expiring else self.status

    @property
    def display_status_label(self):
        return self.EXPIRING_LABEL if self.is_expiring else self.get_status_display()

    @property
    def days_to_expiry(self) -> int | None:
        if self.expires_on is None:
            return None
        return (self.expires_on - timezone.localdate()).days

    @property
    def areas_list(self) -> list[str]:
        return [
            a.strip()
            for a in self.areas_of_cooperation.replace(";", "\n").splitlines()
            if a.strip()
        ]


class Contact(models.Model):
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("institution"),
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnerImport(models.Model):
    """One upload of the MOU partner file, previewed or imported; kept as the audit trail."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed, awaiting confirmation")
        CONFIRMED = "confirmed", _("Previewed, then imported")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Nothing imported (errors)")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (.xlsx)"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when run from the command line."),
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    file_format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # The previewed file is kept so the confirmation imports exactly the bytes that were shown.
    stored_file = models.FileField(_("stored file"), upload_to="imports/%Y/%m/", blank=True)
    encoding = models.CharField(_("encoding"), max_length=30, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_new = models.PositiveIntegerField(_("new"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rows_errors = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("error list"), default=list, blank=True)
    preview = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="confirmations",
        verbose_name=_("confirms preview"),
    )

    class Meta:
        verbose_name = _("partner import")
        verbose_name_plural = _("partner imports")
        ordering = ["-created_at", "-id"]
        permissions = [("import_partners", _("Can import MOU partners from a file"))]

    def __str__(self):
        return (
            f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"
            if self.created_at
            else (self.file_name)
        )


class DelegationRequest(models.Model):
    """An institution asked to nominate up to `max_delegates` people to an edition.

    Its contact gets a personal link (like an expert's RSVP link: the row keeps the token's seed
    and hash, never the token) to a page where they name delegates; each delegate then gets a
    personal invitation in the usual flow (Nomination links the two)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    edition = models.ForeignKey(
        "forums.Edition",
        on_delete=models.PROTECT,
        related_name="delegation_requests",
        verbose_name=_("edition"),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="delegation_requests",
        verbose_name=_("institution"),
    )
    mou = models.ForeignKey(
        MOU,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegations",
        verbose_name=_("sent under MOU"),
    )
    contact_name = models.CharField(_("contact name"), max_length=200)
    contact_email = models.EmailField(_("contact email"))
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    max_delegates = models.PositiveSmallIntegerField(_("delegates at most"))
    deadline = models.DateField(
        _("nomination deadline"), help_text=_("Delegates can be named or replaced until then.")
    )
    message = models.TextField(_("message to the contact"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    token_seed = models.CharField(max_length=64, blank=True, editable=False)
    token_issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delegation request")
        verbose_name_plural = _("delegation requests")
        ordering = ["-created_at", "-id"]
        permissions = [("send_delegationrequest", _("Can create and send delegation requests"))]
        constraints = [
            models.UniqueConstraint(
                "edition",
                "institution",
                name="partners_delegation_one_per_edition",
                violation_error_message=_(
                    "This institution already has a delegation request for this edition."
                ),
            ),
            models.CheckConstraint(
                condition=Q(max_delegates__gte=1),
                name="partners_delegation_at_least_one",
                violation_error_message=_("Ask for at least one delegate."),
            ),
        ]

    def __str__(self):
        return f"{self.institution}: {self.edition}"

    @property
    def deadline_passed(self) -> bool:
        return timezone.localdate() > self.deadline


class NominationQuerySet(models.QuerySet):
    def active(self):
        """Delegates currently named (not replaced, not withdrawn)."""
        return self.filter(withdrawn_at__isnull=True)


class Nomination(models.Model):
    """One delegate named by the institution's contact, and the invitation it produced."""

    request = models.ForeignKey(
        DelegationRequest,
        on_delete=models.CASCADE,
        related_name="nominations",
        verbose_name=_("delegation request"),
    )
    name = models.CharField(_("full name"), max_length=200)
    title = models.CharField(_("title"), max_length=40, blank=True)
    email = models.EmailField(_("email"))
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    invitation = models.ForeignKey(
        "forums.Invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="nominations",
        verbose_name=_("invitation"),
    )
    nominated_at = models.DateTimeField(_("nominated at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("replaced or withdrawn at"), null=True, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    reason = models.CharField(_("reason for the replacement"), max_length=300, blank=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["nominated_at", "id"]
        constraints = [
            models.UniqueConstraint(
                "request",
                Lower("email"),
                condition=Q(withdrawn_at__isnull=True),
                name="partners_nomination_unique_active_email",
                violation_error_message=_("This person is already nominated."),
            ),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"
