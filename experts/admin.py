"""Staff admin for the expert network."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from academy_portal.core.admin import CountryListFilter, FoldedSearchMixin
from academy_portal.core.text import normalize_text

from .exports import expert_export_response
from .models import Expert, ExpertiseArea


class ExpertAdminForm(forms.ModelForm):
    class Meta:
        model = Expert
        fields = (
            "honorific",
            "honorific_vi",
            "given_name",
            "family_name",
            "name_order",
            "email",
            "phone",
            "preferred_language",
            "consent_to_contact",
            "consent_given_on",
            "nationality",
            "country",
            "position",
            "affiliation",
            "affiliation_text",
            "capacity",
            "expertise_areas",
            "languages",
            "bio",
            "staff_notes",
        )

    # The model normalises these on save; doing it first lets the case-insensitive email
    # uniqueness check see the stored value and report a duplicate as a form error.
    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean_given_name(self):
        return normalize_text(self.cleaned_data.get("given_name"))

    def clean_family_name(self):
        return normalize_text(self.cleaned_data.get("family_name"))


@admin.register(ExpertiseArea)
class ExpertiseAreaAdmin(admin.ModelAdmin):
    # Explicit: the annotated (GROUP BY) queryset would otherwise count as unordered.
    ordering = ("name",)
    list_display = ("name", "slug", "expert_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(expert_total=Count("experts"))

    @admin.display(description=_("experts"), ordering="expert_total")
    def expert_count(self, obj):
        return obj.expert_total


@admin.register(Expert)
class ExpertAdmin(FoldedSearchMixin, admin.ModelAdmin):
    form = ExpertAdminForm
    list_display = (
        "name_display",
        "affiliation_display",
        "capacity",
        "country_display",
        "expertise_display",
        "email",
    )
    list_select_related = ("affiliation",)
    list_filter = (
        "capacity",
        ("nationality", CountryListFilter),
        "expertise_areas",
        "preferred_language",
        "consent_to_contact",
    )
    # forums/admin/experts.py adds "invite to an edition" and its filter: forums sits above.
    actions = ("export_csv", "export_xlsx")
    search_fields = (
        "given_name",
        "family_name",
        "email",
        "position",
        "affiliation__name",
        "affiliation__acronym",
        "affiliation_text",
    )
    autocomplete_fields = ("affiliation", "expertise_areas")
    fieldsets = (
        (
            _("Name"),
            {
                "fields": (
                    ("honorific", "honorific_vi"),
                    ("given_name", "family_name"),
                    "name_order",
                )
            },
        ),
        (
            _("Contact"),
            {
                "fields": (
                    "email",
                    "phone",
                    "preferred_language",
                    ("consent_to_contact", "consent_given_on"),
                )
            },
        ),
        (
            _("Profile"),
            {
                "fields": (
                    ("nationality", "country"),
                    "position",
                    ("affiliation", "affiliation_text"),
                    "capacity",
                    "expertise_areas",
                    "languages",
                    "bio",
                )
            },
        ),
        (
            _("Staff only"),
            {
                "fields": ("staff_notes",),
                "description": _("Never shown to the expert or outside the staff admin."),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("expertise_areas")

    @admin.display(description=_("name"), ordering="family_name")
    def name_display(self, obj):
        return obj.full_name

    @admin.display(description=_("affiliation"), ordering="affiliation__name")
    def affiliation_display(self, obj):
        return obj.affiliation_name

    @admin.display(description=_("country"), ordering="country")
    def country_display(self, obj):
        return obj.country.name or None  # None shows the admin's empty-value mark

    @admin.display(description=_("expertise areas"))
    def expertise_display(self, obj):
        # Uses the prefetched areas: no query per row.
        return ", ".join(area.name for area in obj.expertise_areas.all())

    # Names, emails and phones: logged (core.AccessLog). "Select all N" (select_across)
    # hands the whole filtered list here without posting ids.
    @admin.action(description=_("Export selected as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return expert_export_response(queryset, user=request.user, file_format="csv")

    @admin.action(description=_("Export selected as Excel (.xlsx)"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        return expert_export_response(queryset, user=request.user, file_format="xlsx")
