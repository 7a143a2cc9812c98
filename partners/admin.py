"""Staff admin for partner institutions, their MOUs and contacts."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from academy_portal.core.admin import CountryListFilter, FoldedSearchMixin
from academy_portal.core.text import normalize_text

from .admin_delegation import delegations_table
from .admin_import import ExportActionsMixin
from .models import MOU, Contact, Institution


class MOUStatusFilter(admin.SimpleListFilter):
    """The stored statuses plus the derived "Expiring" (active, expiry inside the window)."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            (MOU.Status.DRAFT, MOU.Status.DRAFT.label),
            (MOU.Status.ACTIVE, _("Active (in force)")),
            (MOU.EXPIRING, MOU.EXPIRING_LABEL),
            (MOU.Status.EXPIRED, MOU.Status.EXPIRED.label),
            (MOU.Status.TERMINATED, MOU.Status.TERMINATED.label),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == MOU.EXPIRING:
            return queryset.expiring_within(settings.MOU_EXPIRING_WINDOW_DAYS)
        if value in MOU.Status.values:
            return queryset.filter(status=value)
        return queryset


class MOUExpiryFilter(admin.SimpleListFilter):
    """Which MOUs need a renewal decision, from the expiry date of MOUs in force."""

    title = _("expiry")
    parameter_name = "expiry"
    WITHIN_WINDOW = "within_window"
    PAST_EXPIRY = "past_expiry"
    OPEN_ENDED = "open_ended"

    def lookups(self, request, model_admin):
        days = settings.MOU_EXPIRING_WINDOW_DAYS
        return [
            (
                self.WITHIN_WINDOW,
                ngettext("Expiring within %(days)d day", "Expiring within %(days)d days", days)
                % {"days": days},
            ),
            (self.PAST_EXPIRY, _("Past expiry date but still marked active")),
            (self.OPEN_ENDED, _("Open-ended (no expiry date)")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.WITHIN_WINDOW:
            return queryset.expiring_within(settings.MOU_EXPIRING_WINDOW_DAYS)
        if value == self.PAST_EXPIRY:
            return queryset.past_expiry()
        if value == self.OPEN_ENDED:
            return queryset.filter(expires_on__isnull=True)
        return queryset


def mou_status_badge(mou: MOU) -> str:
    return format_html(
        '<span class="mou-status mou-status--{}">{}</span>',
        mou.display_status,
        mou.display_status_label,
    )


def mou_days_to_expiry(mou: MOU) -> str:
    days = mou.days_to_expiry
    if days is None:
        return format_html('<span class="mou-days mou-days--open">{}</span>', _("open-ended"))
    if days > 0:
        text = ngettext("in %(days)d day", "in %(days)d days", days) % {"days": days}
    elif days == 0:
        text = _("today")
    else:
        text = ngettext("%(days)d day ago", "%(days)d days ago", -days) % {"days": -days}
    urgency = "none"
    if mou.status == MOU.Status.ACTIVE:
        if days < 0:
            urgency = "overdue"
        elif days <= settings.MOU_EXPIRING_WINDOW_DAYS:
            urgency = "soon"
        else:
            urgency = "ok"
    return format_html('<span class="mou-days mou-days--{}">{}</span>', urgency, text)


class InstitutionAdminForm(forms.ModelForm):
    # Partners' sites are https; "lowyinstitute.org" should not become http://.
    website = Institution._meta.get_field("website").formfield(assume_scheme="https")

    class Meta:
        model = Institution
        fields = ("name", "native_name", "acronym", "kind", "country", "city", "website", "notes")

    def clean_name(self):
        # The model normalises on save; do it before validation so the case-insensitive
        # uniqueness check sees the value that will be stored (and never a 500 on save).
        return normalize_text(self.cleaned_data.get("name"))

    def clean_native_name(self):
        return normalize_text(self.cleaned_data.get("native_name"))


class MOUAdminForm(forms.ModelForm):
    class Meta:
        model = MOU
        fields = (
            "institution",
            "title",
            "academy_unit",
            "status",
            "signed_on",
            "effective_from",
            "expires_on",
            "areas_of_cooperation",
            "signatories",
            "notes",
            "document",
            "supersedes",
            "renewal_notes",
        )

    def clean_supersedes(self):
        # The database check cannot run before save (the id is not a form field), so the
        # form says it in words; a two-step loop would make the renewal chain meaningless.
        earlier = self.cleaned_data.get("supersedes")
        if earlier is not None and self.instance.pk:
            if earlier.pk == self.instance.pk:
                raise forms.ValidationError(_("An MOU cannot supersede itself."))
            if earlier.supersedes_id == self.instance.pk:
                raise forms.ValidationError(
                    _("%(earlier)s already renews this MOU; it cannot also be renewed by it."),
                    params={"earlier": earlier},
                )
        return earlier


class MOUInline(admin.TabularInline):
    model = MOU
    fields = ("title", "academy_unit", "signed_on", "expires_on", "status")
    extra = 0
    show_change_link = True


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ("name", "position", "email", "phone")
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(ExportActionsMixin, FoldedSearchMixin, admin.ModelAdmin):
    export_what = "institutions"
    form = InstitutionAdminForm
    # Explicit: the annotated (GROUP BY) queryset would otherwise count as unordered. Names in
    # Vietnamese order (Institution.name_sort_key), here and in the autocomplete and filters.
    ordering = ("name_sort_key", "pk")
    list_display = (
        "name_display",
        "acronym",
        "kind",
        "country_display",
        "city",
        "mou_count",
        "active_mou_count",
    )
    list_filter = ("kind", ("country", CountryListFilter))
    search_fields = ("name", "native_name", "acronym", "city")
    folded_search_covers = ("name", "native_name", "acronym")
    # No public page of an institution yet: the link would only reload this admin page.
    view_on_site = False
    fieldsets = (
        (None, {"fields": ("name", "native_name", "acronym", "kind")}),
        (_("Location"), {"fields": ("country", "city", "website")}),
        (_("Notes"), {"fields": ("notes",)}),
    )
    inlines = (MOUInline, ContactInline)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                mou_total=Count("mous", distinct=True),
                mou_active=Count("mous", filter=Q(mous__status=MOU.Status.ACTIVE), distinct=True),
            )
        )

    @admin.display(description=_("name"), ordering="name_sort_key")
    def name_display(self, obj):
        return obj.name

    @admin.display(description=_("country"), ordering="country")
    def country_display(self, obj):
        # The country's name, looked up; the plain field would build the list of every
        # country's name for each row (django-countries' choices).
        return obj.country.name or None

    @admin.display(description=_("MOUs"), ordering="mou_total")
    def mou_count(self, obj):
        return obj.mou_total

    @admin.display(description=_("active MOUs"), ordering="mou_active")
    def active_mou_count(self, obj):
        return obj.mou_active


@admin.register(MOU)
class MOUAdmin(ExportActionsMixin, FoldedSearchMixin, admin.ModelAdmin):
    export_what = "mous"
    form = MOUAdminForm
    folded_search_fields = ("institution__search_text",)
    # What a renewal decision needs comes first; signing dates are on the change page.
    list_display = ("title", "partner", "status_badge", "expiry", "unit")
    # Soonest expiry first; open-ended MOUs last on every database.
    ordering = (F("expires_on").asc(nulls_last=True), "title")
    list_select_related = ("institution",)
    list_filter = (
        MOUStatusFilter,
        MOUExpiryFilter,
        "academy_unit",
        ("institution__country", CountryListFilter),
        "institution__kind",
    )
    search_fields = ("title", "institution__name", "institution__acronym", "signatories")
    folded_search_covers = ("institution__name", "institution__acronym")
    autocomplete_fields = ("institution", "supersedes")
    readonly_fields = ("status_badge", "days_left", "superseded_by_link", "delegations")
    fieldsets = (
        (None, {"fields": ("institution", "title", "academy_unit")}),
        (
            _("Status and dates"),
            {
                "fields": (
                    ("status", "status_badge"),
                    "signed_on",
                    "effective_from",
                    ("expires_on", "days_left"),
                )
            },
        ),
        (_("Content"), {"fields": ("areas_of_cooperation", "signatories", "notes", "document")}),
        (_("Renewal"), {"fields": ("supersedes", "superseded_by_link", "renewal_notes")}),
        (_("Delegations"), {"fields": ("delegations",)}),
    )

    @admin.display(description=_("delegations sent under this MOU"))
    def delegations(self, obj):
        return delegations_table(obj)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return mou_status_badge(obj)

    @admin.display(description=_("days to expiry"), ordering="expires_on")
    def days_left(self, obj):
        return mou_days_to_expiry(obj)

    # Short headers and two-line cells keep the list readable beside the menu and filters.
    @admin.display(description=_("expiry"), ordering="expires_on")
    def expiry(self, obj):
        if obj.expires_on is None:
            return mou_days_to_expiry(obj)
        return format_html(
            '{}<span class="mou-date">{}</span>',
            mou_days_to_expiry(obj),
            date_format(obj.expires_on, "j M Y"),
        )

    # A method, not the foreign key itself: the admin never wraps foreign-key cells.
    @admin.display(description=_("institution"), ordering="institution__name_sort_key")
    def partner(self, obj):
        return obj.institution

    @admin.display(description=_("unit"), ordering="academy_unit")
    def unit(self, obj):
        return obj.get_academy_unit_display()

    @admin.display(description=_("superseded by"))
    def superseded_by_link(self, obj):
        successor = getattr(obj, "superseded_by", None) if obj.pk else None
        if successor is None:
            return "—"
        url = reverse("admin:partners_mou_change", args=[successor.pk])
        return format_html('<a href="{}">{}</a>', url, successor)


@admin.register(Contact)
class ContactAdmin(ExportActionsMixin, FoldedSearchMixin, admin.ModelAdmin):
    export_what = "contacts"
    folded_search_fields = ("institution__search_text",)
    list_display = ("name", "position", "institution", "email", "phone")
    list_select_related = ("institution",)
    list_filter = (("institution__country", CountryListFilter),)
    search_fields = ("name", "email", "position", "institution__name", "institution__acronym")
    folded_search_covers = ("institution__name", "institution__acronym")
    autocomplete_fields = ("institution",)
