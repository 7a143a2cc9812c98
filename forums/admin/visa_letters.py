"""Staff admin for visa support letters: the register (read-only, every role with view rights),
its downloads and emails (personal-details readers only), the letterhead and signatory, and
the invitation list's "Issue visa support letters" action."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from academy_portal.core.privacy import can_see_personal_details
from forums.models import LetterSettings, VisaLetter
from forums.services.visa_letters import email_visa_letter, issue_visa_letters
from forums.views_staff import letters_zip_response, report_issue_outcome

from .editions import EditionListFilter


class PersonalDetailsActions:
    """`permissions=["personal_details"]` on an action: only readers of personal details."""

    def has_personal_details_permission(self, request):
        return can_see_personal_details(request.user)


@admin.register(VisaLetter)
class VisaLetterAdmin(PersonalDetailsActions, admin.ModelAdmin):
    """The register: number, expert, edition, who issued it and when. No passport data (the
    row holds none), so every role that may view it sees all of it."""

    list_display = (
        "reference_display",
        "expert",
        "edition_display",
        "language",
        "issued_at",
        "issued_by",
        "emailed_at",
        "state_display",
        "pdf_link",
    )
    list_select_related = ("expert", "edition__forum", "issued_by", "replaced_by")
    list_filter = (("edition", EditionListFilter), "year", "language")
    search_fields = ("expert__given_name", "expert__family_name", "expert__email", "=number")
    ordering = ("-year", "-number")
    actions = ("download_selected", "email_selected")
    fields = (
        "reference_display",
        "expert",
        "invitation",
        "edition",
        "language",
        "issued_at",
        "issued_by",
        "emailed_at",
        "replaced_by",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # numbers are given by issuing, never typed in

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a register keeps every number it gave

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("number"), ordering="number")
    def reference_display(self, obj):
        return obj.reference

    @admin.display(description=_("edition"), ordering="edition__start_date")
    def edition_display(self, obj):
        return f"{obj.edition.forum.short_name} {obj.edition.number}"

    @admin.display(description=_("state"))
    def state_display(self, obj):
        if obj.replaced_by_id:
            return _("replaced by %(reference)s") % {"reference": obj.replaced_by.reference}
        return _("current")

    def get_list_display(self, request):
        # The PDF column only for readers who may open it (others would get 403).
        if can_see_personal_details(request.user):
            return self.list_display
        return tuple(name for name in self.list_display if name != "pdf_link")

    @admin.display(description=_("letter"))
    def pdf_link(self, obj):
        url = reverse("forums_staff:visa_letter_pdf", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("PDF"))

    @admin.action(
        description=_("Download selected letters (PDF, in a ZIP)"),
        permissions=["personal_details"],
    )
    def download_selected(self, request, queryset):
        letters = list(queryset.order_by("year", "number"))
        return letters_zip_response(request, letters, file_stem="visa-letters")

    @admin.action(
        description=_("Email selected letters to their experts"), permissions=["personal_details"]
    )
    def email_selected(self, request, queryset):
        queued = 0
        problems = []
        for letter in queryset.current().select_related("expert"):
            try:
                _message, created = email_visa_letter(letter=letter, sent_by=request.user)
            except ValueError as exc:
                problems.append(f"{letter.reference} ({exc})")
                continue
            queued += int(created)
        self.message_user(
            request,
            ngettext(
                "%(count)d letter queued in the outbox.",
                "%(count)d letters queued in the outbox.",
                queued,
            )
            % {"count": queued},
            messages.SUCCESS,
        )
        if problems:
            self.message_user(
                request,
                _("Not emailed: %(letters)s.") % {"letters": "; ".join(problems)},
                messages.WARNING,
            )


@admin.register(LetterSettings)
class LetterSettingsAdmin(admin.ModelAdmin):
    """One row: the list opens it (or the form to create it)."""

    fields = ("letterhead", "signatory_name", "signatory_title", "signatory_title_vi", "city")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = LetterSettings.current().pk
        super().save_model(request, obj, form, change)

    def add_view(self, request, form_url="", extra_context=None):
        # Asked here, not in has_add_permission: that one runs on every admin page's sidebar.
        if LetterSettings.objects.exists():
            return HttpResponseRedirect(reverse("admin:forums_lettersettings_changelist"))
        return super().add_view(request, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        settings_row = LetterSettings.objects.first()
        if settings_row is not None:
            return HttpResponseRedirect(
                reverse("admin:forums_lettersettings_change", args=[settings_row.pk])
            )
        if self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:forums_lettersettings_add"))
        return super().changelist_view(request, extra_context)


@admin.action(
    description=_("Issue visa support letters (PDF, in a ZIP)"), permissions=["personal_details"]
)
def issue_letters_action(modeladmin, request, queryset):
    """For the invitation list: number the selected eligible invitations' letters (reusing a
    number already given) and download them; skipped.txt and a message say who was not."""
    invitations = list(queryset.select_related("expert", "edition__forum").order_by("pk"))
    outcome = issue_visa_letters(invitations, issued_by=request.user)
    report_issue_outcome(request, outcome)
    skipped = [f"{s.invitation.expert}: {s.reason}" for s in outcome.skipped]
    return letters_zip_response(request, outcome.letters, file_stem="visa-letters", skipped=skipped)


__all__ = [
    "LetterSettingsAdmin",
    "PersonalDetailsActions",
    "VisaLetterAdmin",
    "issue_letters_action",
]
