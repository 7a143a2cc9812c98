"""Admin building blocks shared by the portal's apps, the access log's admin and the API tokens'."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import (
    get_fields_from_path,
    lookup_spawns_duplicates,
    reverse_field_path,
)
from django.db.models import F, Q, Subquery
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.text import capfirst, smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from academy_portal.core.expressions import InSubquery
from academy_portal.core.models import AccessLog, ApiToken
from academy_portal.core.services import issue_api_token, revoke_api_token
from academy_portal.core.text import fold_for_search


class FoldedSearchMixin:
    """Search matches each word in a folded `search_text` column, or in a search field.

    "Nguyen Hung Son" then finds "Nguyễn Hùng Sơn", and "Vien" finds "Viện". Every word must
    match, each in the folded column or in any of the search fields the column does not already
    hold (`folded_search_covers`: fields whose text is in one, not searched a second time). A
    folded column across a relation ("expert__search_text") is matched in its own table and
    joined by id (`expert_id IN (...)`), so on PostgreSQL its trigram index answers the search
    (core.search_indexes) rather than a scan of this model's table.
    """

    # Folded columns: this model's, or a related model's ("affiliation__search_text").
    folded_search_fields: tuple[str, ...] = ("search_text",)
    folded_search_covers: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        words = search_words(search_term)
        if not words:
            return super().get_search_results(request, queryset, search_term)
        folded_columns = []
        for path in self.folded_search_fields:
            relation, _, column = path.rpartition("__")
            model = (
                get_fields_from_path(self.model, relation)[-1].related_model if relation else None
            )
            folded_columns.append((relation, column, model))
        others = [
            field
            for field in self.get_search_fields(request)
            if field not in self.folded_search_covers
        ]
        lookups = [_search_lookup(field) for field in others]
        conditions = []
        for word in words:
            any_field = Q(*[Q(**{lookup: word}) for lookup in lookups], _connector=Q.OR)
            folded = fold_for_search(word)
            for relation, column, model in folded_columns if folded else ():
                # The column and the words are folded (lower-case ASCII): a plain LIKE.
                in_column = {f"{column}__contains": folded}
                if model is None:
                    any_field |= Q(**in_column)
                else:
                    matching = model._default_manager.filter(**in_column).values("pk")
                    any_field |= Q(InSubquery(F(relation), Subquery(matching)))
            conditions.append(any_field)
        may_have_duplicates = any(lookup_spawns_duplicates(self.opts, lu) for lu in lookups)
        return queryset.filter(*conditions), may_have_duplicates


def search_words(search_term: str | None) -> list[str]:
    """The admin's words: split on spaces, a "quoted phrase" kept whole (as Django does)."""
    words = []
    for bit in smart_split(search_term or ""):
        if bit[:1] in {'"', "'"} and bit[-1:] == bit[:1]:
            bit = unescape_string_literal(bit)
        if bit.strip():
            words.append(bit)
    return words


def _search_lookup(field: str) -> str:
    prefixes = {"^": "istartswith", "=": "iexact", "@": "search"}
    if field[:1] in prefixes:
        return f"{field[1:]}__{prefixes[field[:1]]}"
    return f"{field}__icontains"


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


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=capfirst(_("scopes")),
        choices=ApiToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the client may read. Every API key is read-only."),
    )

    class Meta:
        model = ApiToken
        fields = ("name", "scopes")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators issue a key (shown once, on the page after "Save") and revoke it."""

    form = ApiTokenForm
    list_display = (
        "name",
        "prefix",
        "scope_list",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("created_by",)
    search_fields = ("name", "prefix")
    readonly_fields = (
        "name",
        "prefix",
        "scope_list",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke_selected"]

    @admin.display(description=_("scopes"))
    def scope_list(self, obj):
        labels = dict(ApiToken.Scope.choices)
        return ", ".join(str(labels.get(scope, scope)) for scope in obj.scopes)

    def _may_manage(self, request) -> bool:
        return request.user.has_perm("core.manage_api_tokens")

    def has_module_permission(self, request):
        return self._may_manage(request)

    def has_view_permission(self, request, obj=None):
        return self._may_manage(request)

    def has_add_permission(self, request):
        return self._may_manage(request)

    def has_manage_permission(self, request):
        return self._may_manage(request)

    def has_change_permission(self, request, obj=None):
        return False  # a token is issued or revoked, never edited

    def has_delete_permission(self, request, obj=None):
        return False  # revoked tokens stay, to say who had access until when

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return ("name", "scopes") if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        token, key = issue_api_token(
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            created_by=request.user,
        )
        obj.pk = token.pk
        request._issued_api_key = key  # shown once by response_add, stored nowhere

    def save_related(self, request, form, formsets, change):
        pass  # nothing related; the service saved the token

    def log_addition(self, request, obj, message):
        return super().log_addition(request, ApiToken.objects.get(pk=obj.pk), message)

    def response_add(self, request, obj, post_url_continue=None):
        """The key, this once: not in a message (stored in the session or a cookie)."""
        context = {
            **self.admin_site.each_context(request),
            "title": _("API key issued"),
            "opts": self.model._meta,
            "token": ApiToken.objects.get(pk=obj.pk),
            "key": request._issued_api_key,
        }
        response = TemplateResponse(request, "admin/core/apitoken/issued.html", context)
        add_never_cache_headers(response)
        return response

    @admin.action(description=_("Revoke selected API keys"), permissions=["manage"])
    def revoke_selected(self, request, queryset):
        revoked = sum(revoke_api_token(token=token) for token in queryset)
        self.message_user(
            request,
            ngettext("%(count)d API key revoked.", "%(count)d API keys revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )
