"""Staff admin for forums, their editions, sessions and who speaks in them."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from academy_portal.core.admin import FoldedSearchMixin
from forums.ics import programme_url
from forums.models import Edition, Forum, Session, SessionRole
from forums.programme import programme_warnings
from forums.services import (
    publish_programme,
    record_schedule_change,
    save_edition,
    unpublish_programme,
)

# Fields whose change moves calendar entries (forums.services.programme.record_schedule_change).
EDITION_SCHEDULE_FIELDS = {"start_date", "end_date", "venue", "venue_vi", "city"}
SESSION_SCHEDULE_FIELDS = {"starts_at", "ends_at", "room", "title", "title_vi"}


def edition_filter_label(edition: Edition) -> str:
    """Short enough for the filter sidebar: "SCS 16 · Dec 2026" (the title is on the page)."""
    month = date_format(edition.start_date, "M Y")
    return f"{edition.forum.short_name} {edition.number} \u00b7 {month}"


# Editions listed in a filter sidebar: those to come, then the latest past ones.
EDITIONS_SHOWN = 30


class EditionListFilter(admin.RelatedFieldListFilter):
    """Editions, the ones still to come first (soonest first), then past ones (latest first),
    with their forums fetched in the same query: a coordinator filters on the next edition.
    At most EDITIONS_SHOWN of them, and the one chosen: older editions are reached through the
    edition's own page (its invitations link) rather than a sidebar of every edition ever held."""

    def field_choices(self, field, request, model_admin):
        today = timezone.localdate()
        past = Case(
            When(end_date__lt=today, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
        order = (
            "is_past",
            Case(When(end_date__lt=today, then=None), default=F("start_date")).asc(),
            F("start_date").desc(),
            "forum__short_name",
            "pk",
        )
        editions = Edition.objects.annotate(is_past=past).order_by(*order)
        chosen = [value for value in self.lookup_val or [] if str(value).isdigit()]
        shown = (
            editions.filter(Q(pk__in=editions.values("pk")[:EDITIONS_SHOWN]) | Q(pk__in=chosen))
            .select_related("forum")
            .order_by(*order)
        )
        return [(edition.pk, edition_filter_label(edition)) for edition in shown]


def label_inputs(form: forms.BaseForm, parts: tuple[str, str]) -> None:
    """Give each input of a tabular inline's row an accessible name: the column heading is not
    its label. A date and time field gets one name per input."""
    for field in form.fields.values():
        widget = getattr(field.widget, "widget", field.widget)  # admin's related-field wrapper
        label = str(field.label)
        if isinstance(widget, forms.MultiWidget):
            for subwidget, part in zip(widget.widgets, parts, strict=False):
                subwidget.attrs["aria-label"] = f"{label}: {part}"
        else:
            widget.attrs["aria-label"] = label


class SessionInlineForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_inputs(self, (_("date"), _("time")))


class LabelledInlineFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = str(_("Delete"))


class SessionInline(admin.TabularInline):
    model = Session
    form = SessionInlineForm
    formset = LabelledInlineFormSet
    fields = (
        "title",
        "title_vi",
        "kind",
        "starts_at",
        "ends_at",
        "room",
        "attribution",
        "closed_door",
    )
    extra = 0
    show_change_link = True
    # static/css/admin.css narrows this table (class set on the inline's wrapper) to fit 1366 px.
    classes = ("compact-inline",)


class SessionRoleInline(admin.TabularInline):
    model = SessionRole
    fields = ("expert", "role", "order")
    autocomplete_fields = ("expert",)
    extra = 0


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    # Explicit: the annotated (GROUP BY) queryset would otherwise count as unordered.
    ordering = ("name",)
    list_display = ("name", "short_name", "organising_unit", "track", "active", "edition_count")
    list_filter = ("active", "track", "organising_unit")
    search_fields = ("name", "short_name")
    prepopulated_fields = {"slug": ("short_name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(edition_total=Count("editions"))

    @admin.display(description=_("editions"), ordering="edition_total")
    def edition_count(self, obj):
        return obj.edition_total


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    # Explicit: the annotated (GROUP BY) queryset would otherwise count as unordered.
    ordering = ("-start_date",)
    list_display = (
        "__str__",
        "dates",
        "city",
        "status_badge",
        "capacity",
        "rsvp_deadline",
        "session_count",
        "published",
    )
    list_filter = ("forum", "status", "format")
    actions = ("publish_selected", "unpublish_selected")
    readonly_fields = ("programme_published_at",)
    search_fields = ("title", "theme", "city", "venue", "forum__name", "forum__short_name")
    date_hierarchy = "start_date"
    # No public page of an edition yet: the link would only reload this admin page.
    view_on_site = False
    # Badges, attendance, thank-you and materials: forums/admin/attendance.py adds them.
    inlines = (SessionInline,)
    # Each Vietnamese text beside its English one.
    fieldsets = (
        (
            None,
            {"fields": ("forum", "number", ("title", "title_vi"), ("theme", "theme_vi"), "status")},
        ),
        (
            _("Dates and place"),
            {"fields": (("start_date", "end_date"), "city", ("venue", "venue_vi"), "format")},
        ),
        (
            _("Invitations"),
            {
                "fields": (
                    "capacity",
                    "rsvp_deadline",
                    "default_attribution",
                    "allows_accompanying_person",
                    "contact_email",
                    "answer_notification_email",
                    ("practical_information", "practical_information_vi"),
                )
            },
        ),
        (_("Public programme"), {"fields": ("programme_published_at",)}),
    )

    def get_queryset(self, request):
        # The forum is part of every edition's name, so it is always fetched with it
        # (changelist, autocomplete and filters alike).
        return (
            super()
            .get_queryset(request)
            .select_related("forum")
            .annotate(session_total=Count("sessions"))
        )

    def save_model(self, request, obj, form, change):
        # A new edition gets its default reminders; a raised capacity goes to the waitlist,
        # recorded as done by this coordinator.
        save_edition(edition=obj, changed_by=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        sessions_changed = any(
            formset.new_objects
            or formset.deleted_objects
            or any(
                set(changed) & SESSION_SCHEDULE_FIELDS
                for _session, changed in formset.changed_objects
            )
            for formset in formsets
        )
        if change and (sessions_changed or set(form.changed_data) & EDITION_SCHEDULE_FIELDS):
            record_schedule_change(edition=form.instance)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        edition = self.get_object(request, object_id)
        if edition is not None:
            extra_context["programme_warnings"] = programme_warnings(edition=edition)
            if edition.is_published:
                extra_context["programme_url"] = programme_url(edition)
        return super().change_view(request, object_id, form_url, extra_context)

    def _publication(self, request, queryset, service, message):
        """Run the publish or unpublish service on each edition; say how many changed."""
        done = sum(service(edition, request.user) for edition in queryset.order_by("pk"))
        level = messages.SUCCESS if done else messages.WARNING
        self.message_user(request, message(done) % {"count": done}, level)

    @admin.action(description=_("Publish programme"), permissions=["change"])
    def publish_selected(self, request, queryset):
        self._publication(
            request,
            queryset,
            lambda edition, user: publish_programme(edition=edition, published_by=user),
            lambda n: ngettext(
                "%(count)d programme published: its page and calendar entries are public.",
                "%(count)d programmes published: their pages and calendar entries are public.",
                n,
            ),
        )

    @admin.action(description=_("Unpublish programme"), permissions=["change"])
    def unpublish_selected(self, request, queryset):
        self._publication(
            request,
            queryset,
            lambda edition, user: unpublish_programme(edition=edition, unpublished_by=user),
            lambda n: ngettext(
                "%(count)d programme unpublished: its page is no longer public.",
                "%(count)d programmes unpublished: their pages are no longer public.",
                n,
            ),
        )

    @admin.display(description=_("public"), boolean=True, ordering="programme_published_at")
    def published(self, obj):
        return obj.programme_published_at is not None

    @admin.display(description=_("sessions"), ordering="session_total")
    def session_count(self, obj):
        return obj.session_total

    @admin.display(description=_("dates"), ordering="start_date")
    def dates(self, obj):
        # Day-month-year with the month's name: unambiguous in both languages.
        start = date_format(obj.start_date, "j M Y")
        if obj.end_date == obj.start_date:
            return format_html('<span class="nowrap">{}</span>', start)
        return format_html(
            '<span class="nowrap">{} \u2013</span> <span class="nowrap">{}</span>',
            start,
            date_format(obj.end_date, "j M Y"),
        )

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span class="edition-status edition-status--{}">{}</span>',
            obj.status,
            obj.get_status_display(),
        )


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    # Explicit: the annotated (GROUP BY) queryset would otherwise count as unordered.
    ordering = ("starts_at",)
    list_display = (
        "title",
        "edition",
        "kind",
        "starts_at",
        "ends_at",
        "room",
        "attribution_display",
        "role_count",
    )
    list_select_related = ("edition__forum",)
    list_filter = (("edition", EditionListFilter), "kind", "edition__forum")
    search_fields = ("title", "description", "room", "edition__title")
    autocomplete_fields = ("edition",)
    inlines = (SessionRoleInline,)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or set(form.changed_data) & (SESSION_SCHEDULE_FIELDS | {"edition"}):
            record_schedule_change(edition=obj.edition)

    def delete_model(self, request, obj):
        edition = obj.edition
        super().delete_model(request, obj)
        record_schedule_change(edition=edition)

    def delete_queryset(self, request, queryset):
        editions = list(Edition.objects.filter(sessions__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for edition in editions:
            record_schedule_change(edition=edition)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("edition__forum")
            .annotate(role_total=Count("roles"))
        )

    @admin.display(description=_("attribution rule"))
    def attribution_display(self, obj):
        return obj.effective_attribution_label

    @admin.display(description=_("speakers and chairs"), ordering="role_total")
    def role_count(self, obj):
        return obj.role_total


@admin.register(SessionRole)
class SessionRoleAdmin(FoldedSearchMixin, admin.ModelAdmin):
    folded_search_fields = ("expert__search_text",)
    folded_search_covers = ("expert__given_name", "expert__family_name", "expert__email")
    list_display = ("expert", "role", "session", "edition_display", "order")
    list_select_related = ("expert", "session__edition__forum")
    list_filter = ("role", ("session__edition", EditionListFilter))
    search_fields = (
        "expert__given_name",
        "expert__family_name",
        "expert__email",
        "session__title",
    )
    autocomplete_fields = ("session", "expert")

    @admin.display(description=_("edition"), ordering="session__edition__start_date")
    def edition_display(self, obj):
        return obj.session.edition
