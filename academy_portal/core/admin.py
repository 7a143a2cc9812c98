"""Admin building blocks shared by the portal's apps, and the access log's admin."""

from django.contrib import admin
from django.contrib.admin.utils import reverse_field_path
from django.db.models import Q
from django_countries import countries

from academy_portal.core.models import AccessLog
from academy_portal.core.text import fold_for_search


class FoldedSearchMixin:
    """Search also matches the folded `search_text` column, word by word.

    "Nguyen Hung Son" then finds "Nguyễn Hùng Sơn", and "Vien" finds "Viện".
    """

    folded_search_field = "search_text"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        words = fold_for_search(search_term).split()
        if words:
            # The column and the words are folded (lower-case ASCII), so a plain LIKE matches,
            # and on PostgreSQL a trigram index answers it (core.search_indexes).
            lookup = f"{self.folded_search_field}__contains"
            folded = queryset.filter(*[Q(**{lookup: word}) for word in words])
            results = results | folded
            # A folded path through a relation can repeat rows, like any related search.
            may_have_duplicates = may_have_duplicates or "__" in self.folded_search_field
        return results, may_have_duplicates


class CountryListFilter(admin.AllValuesFieldListFilter):
    """Only the countries that occur, shown by name ("Singapore", not "SG"), in one query."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        parent_model, _ = reverse_field_path(model, field_path)
        # The plain manager: admin querysets carry annotations that break DISTINCT.
        self.lookup_choices = (
            parent_model._default_manager.exclude(**{field.name: ""})
            .order_by()
            .values_list(field.name, flat=True)
            .distinct()
        )

    def choices(self, changelist):
        choices = list(super().choices(changelist))
        head, rest = choices[:1], choices[1:]
        for choice in rest:
            code, _, count = str(choice["display"]).partition(" ")
            name = countries.name(code)
            if name:
                choice["display"] = f"{name} {count}".strip()
        rest.sort(key=lambda choice: str(choice["display"]))
        return head + rest


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only, for administrators: who saw or exported personal data, when, which records."""

    list_display = ("at", "user", "action", "what", "model_label", "record_count")
    list_filter = ("action", "personal_details", "model_label")
    search_fields = ("user__username", "what")
    date_hierarchy = "at"
    list_select_related = ("user",)
    fields = (
        "at",
        "user",
        "action",
        "what",
        "model_label",
        "record_count",
        "personal_details",
        "object_ids",
    )
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.has_perm("core.review_access_log")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("core.review_access_log")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
