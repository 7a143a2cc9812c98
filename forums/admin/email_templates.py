"""Staff admin for the editable email templates (with a preview) and the reminder rules."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from experts.models import Expert
from forums.admin.editions import EditionListFilter
from forums.models import Edition, EmailTemplate, Invitation, ReminderRule
from forums.services.emails import render_email
from forums.template_safety import UnsafeTemplate, template_problems
from forums.validators import PLACEHOLDERS

from .inviting import PREVIEW_TOKEN


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ("kind", "language", "edition", "subject", "body")
        widgets = {
            "subject": forms.TextInput(attrs={"size": 90}),
            "body": forms.Textarea(attrs={"rows": 22, "cols": 90}),
        }


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    form = EmailTemplateForm
    list_display = ("kind", "language", "edition_display", "subject", "updated_at")
    list_filter = ("kind", "language", ("edition", EditionListFilter))
    list_select_related = ("edition__forum",)
    search_fields = ("subject", "body")
    autocomplete_fields = ("edition",)
    readonly_fields = ("placeholders_help", "preview")
    fieldsets = (
        (None, {"fields": ("kind", "language", "edition", "subject", "body")}),
        (_("Placeholders"), {"fields": ("placeholders_help",)}),
        (_("Preview"), {"fields": ("preview",)}),
    )

    class Media:
        css = {"all": ("css/invitations-admin.css",)}

    def has_delete_permission(self, request, obj=None):
        # The defaults are what every email falls back to: edit them, never delete them.
        if obj is not None and obj.edition_id is None:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("edition"), ordering="edition__start_date")
    def edition_display(self, obj):
        return obj.edition or _("Default (all editions)")

    @admin.display(description=_("available placeholders"))
    def placeholders_help(self, obj):
        return format_html(
            '<dl class="placeholder-list">{}</dl>',
            format_html_join(
                "",
                "<dt><code>{{{{ {} }}}}</code></dt><dd>{}</dd>",
                ((name, help_text) for name, help_text in PLACEHOLDERS.items()),
            ),
        )

    @admin.display(description=_("preview (saved version)"))
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return _("Save the template to see a preview.")
        # A template stored before the sandbox's rules is not rendered: say what is wrong.
        problems = template_problems(obj.subject, names=PLACEHOLDERS) + template_problems(
            obj.body, names=PLACEHOLDERS
        )
        if problems:
            return format_html('<p class="errornote">{}</p>', " ".join(problems))
        sample = sample_invitation(obj)
        if sample is None:
            return _("Create an edition and an expert to see a preview.")
        try:
            email = render_email(obj.kind, sample, raw_token=PREVIEW_TOKEN, template=obj)
        except UnsafeTemplate as error:  # even the shipped wording outgrew the limit
            return format_html('<p class="errornote">{}</p>', error)
        return format_html(
            '<p class="email-preview__subject"><strong>{}</strong></p>'
            '<pre class="email-preview__body">{}</pre>',
            email.subject,
            email.text_body,
        )


def sample_invitation(template: EmailTemplate) -> Invitation | None:
    """A real invitation of the template's edition and language if there is one, else a mock-up."""
    invitations = Invitation.objects.with_related().filter(
        expert__preferred_language=template.language
    )
    if template.edition_id:
        invitations = invitations.filter(edition_id=template.edition_id)
    found = invitations.order_by("-created_at").first()
    if found:
        return found
    edition = template.edition or Edition.objects.select_related("forum").first()
    if edition is None:
        return None
    expert = Expert(
        honorific="Dr.",
        given_name="Hùng Sơn" if template.language == "vi" else "Jane",
        family_name="Nguyễn" if template.language == "vi" else "Smith",
        name_order="family_first" if template.language == "vi" else "given_first",
        email="expert@example.org",
        preferred_language=template.language,
    )
    return Invitation(edition=edition, expert=expert, personal_message="")


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ("edition", "audience", "days", "template_kind", "active")
    list_editable = ("days", "active")
    list_filter = ("audience", "active", ("edition", EditionListFilter))
    list_select_related = ("edition__forum",)
    autocomplete_fields = ("edition",)
    ordering = ("edition__start_date", "audience", "-days")
