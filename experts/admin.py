"""Staff admin for the expert network."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from academy_portal.core.admin import CountryListFilter, FoldedSearchMixin
from academy_portal.core.text import normalize_text

from .exports import expert_export_response
from .models import Expert, ExpertiseArea
from .selectors import areas_named_by, in_areas_or_named


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


class CountriesListFilter(CountryListFilter):
    """Several countries at once: each country's link adds it to the choice or takes it out
    ("?nationality__in=ID,PH"); the one-country link of CountryListFilter still works. The
    countries are read only when the sidebar is drawn (not on an action's POST)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg_in = f"{field_path}__in"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("%(field)s (one or more)") % {"field": self.title}

    def expected_parameters(self):
        return [*super().expected_parameters(), self.lookup_kwarg_in]

    def chosen(self) -> set[str]:
        codes = set()
        for value in self.used_parameters.get(self.lookup_kwarg_in, []):
            codes.update(value if isinstance(value, list) else [value])
        codes.update(self.used_parameters.get(self.lookup_kwarg, []))
        return {code.upper() for code in codes if code}

    def choices(self, changelist):
        chosen = self.chosen()
        others = [self.lookup_kwarg, self.lookup_kwarg_isnull, self.lookup_kwarg_in]
        yield {
            "selected": not chosen,
            "query_string": changelist.get_query_string(remove=others),
            "display": _("All"),
        }
        named = sorted(
            ((code, countries.name(code) or code) for code in self.lookup_choices),
            key=lambda pair: pair[1],
        )
        for code, name in named:
            toggled = chosen ^ {code}
            new = {self.lookup_kwarg_in: ",".join(sorted(toggled))} if toggled else {}
            yield {
                "selected": code in chosen,
                "query_string": changelist.get_query_string(new, remove=others),
                "display": name,
            }


# Institutions listed in the experts' "affiliation" filter; others are found by searching.
AFFILIATIONS_SHOWN = 30


class InstitutionListFilter(admin.RelatedFieldListFilter):
    """The institutions with the most experts (AFFILIATIONS_SHOWN of them, by name) and the
    one chosen, in one query read only when the sidebar is drawn: a sidebar of every partner
    (thousands) would cost more than the list itself. Searching finds experts of any of them."""

    def field_choices(self, field, request, model_admin):
        def choices():
            institutions = field.related_model._default_manager
            # Counted on the experts' side: their affiliation index answers it, without
            # joining every institution to its experts.
            busiest = (
                field.model._default_manager.filter(**{f"{field.name}__isnull": False})
                .order_by()
                .values(field.name)
                .annotate(expert_total=Count("*"))
                .order_by("-expert_total", field.name)
                .values(field.name)[:AFFILIATIONS_SHOWN]
            )
            chosen = [value for value in self.lookup_val or [] if str(value).isdigit()]
            shown = institutions.filter(Q(pk__in=busiest) | Q(pk__in=chosen)).order_by("name")
            return [(institution.pk, str(institution)) for institution in shown]

        return SimpleLazyObject(choices)

    def has_output(self):
        return True


@admin.register(ExpertiseArea)
class ExpertiseAreaAdmin(FoldedSearchMixin, admin.ModelAdmin):
    # Explicit: the annotated (GROUP BY) queryset would otherwise count as unordered.
    ordering = ("name",)
    list_display = ("name", "aliases", "expert_count")
    fields = ("name", "slug", "aliases")
    # Also the expert form's autocomplete: "luật biển" finds "Law of the sea".
    search_fields = ("name",)
    folded_search_covers = search_fields
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
        ("nationality", CountriesListFilter),
        "expertise_areas",
        ("affiliation", InstitutionListFilter),
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
    # The expert's folded names and email, position and affiliation as typed, and the
    # affiliation's folded name and acronym: trigram-indexed columns answer every word.
    folded_search_fields = ("search_text", "profile_search_text", "affiliation__search_text")
    folded_search_covers = (
        "given_name",
        "family_name",
        "email",
        "position",
        "affiliation_text",
        "affiliation__name",
        "affiliation__acronym",
    )
    # Counting every expert again on each search or filter costs more than it tells.
    show_full_result_count = False
    # A search names a handful of people; a page of 50 is drawn in half the time of 100.
    list_per_page = 50
    search_help_text = _(
        "Finds names, email addresses, positions, institutions and expertise areas by "
        "any of their names in English or Vietnamese (e.g. UNCLOS, luật biển)."
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

    def get_search_results(self, request, queryset, search_term):
        area_ids = areas_named_by(search_term)
        if not area_ids:
            return super().get_search_results(request, queryset, search_term)
        # The term names an expertise area ("UNCLOS", "luật biển"): its experts, and those
        # whose own name or email matches, not every affiliation that shares a word with it.
        return queryset.filter(in_areas_or_named(search_term, area_ids=area_ids)), False

    @admin.display(description=_("name"), ordering="name_sort_key")
    def name_display(self, obj):
        return obj.full_name

    @admin.display(description=_("affiliation"), ordering="affiliation__name_sort_key")
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
