"""Staff admin after the RSVP: name badges, closing attendance, corrections, materials, the
thank-you email and the participants' feedback.

The edition actions (badges, close attendance, send thank-you) are added to the edition admin
(editions.py); each calls one service and reports what it did.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from academy_portal.core.services import record_access
from forums.documents.badges import edition_badges_pdf
from forums.models import Edition, EditionMaterial, Feedback, Invitation, Presence
from forums.services.attendance import (
    AttendanceError,
    attendance_counts,
    close_attendance,
    correct_attendance,
    plan_thank_you,
    send_thank_you,
)

from .editions import EditionAdmin, EditionListFilter


def _one_edition(modeladmin, request, queryset):
    editions = list(queryset.select_related("forum")[:2])
    if len(editions) != 1:
        modeladmin.message_user(request, _("Select exactly one edition."), messages.ERROR)
        return None
    return editions[0]


@admin.action(description=_("Print name badges (PDF)"), permissions=["change"])
def print_badges(modeladmin, request, queryset):
    """Four A6 badges a page for the edition's confirmed participants, each with its QR code."""
    edition = _one_edition(modeladmin, request, queryset)
    if edition is None:
        return None
    pdf, _count = edition_badges_pdf(edition)
    ids = list(
        Invitation.objects.filter(edition=edition, status=Invitation.Status.ACCEPTED)
        .order_by("expert__family_name", "expert__given_name", "pk")
        .values_list("pk", flat=True)
    )
    # The badges name people (and carry check-in codes): logged like any export naming people.
    record_access(
        user=request.user, action="export", model=Invitation, what="Name badges", object_ids=ids
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(f"badges-{edition.forum.short_name}-{edition.number}")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@admin.action(description=_("Close attendance (not checked in: no-show)"), permissions=["change"])
def close_attendance_action(modeladmin, request, queryset):
    for edition in queryset.select_related("forum"):
        try:
            count = close_attendance(edition=edition, actor=request.user)
        except AttendanceError as error:
            modeladmin.message_user(request, error.message, messages.ERROR)
            continue
        modeladmin.message_user(
            request,
            ngettext(
                "%(edition)s: %(count)d participant not checked in recorded as a no-show.",
                "%(edition)s: %(count)d participants not checked in recorded as no-shows.",
                count,
            )
            % {"edition": edition, "count": count},
            messages.SUCCESS,
        )


@admin.action(description=_("Send thank-you to those who attended…"), permissions=["change"])
def send_thank_you_action(modeladmin, request, queryset):
    """A confirmation page (who gets it, who does not and why), then the emails, once each."""
    edition = _one_edition(modeladmin, request, queryset)
    if edition is None:
        return None
    if "_confirm" in request.POST:
        count = send_thank_you(edition=edition, actor=request.user)
        modeladmin.message_user(
            request,
            ngettext(
                "Thank-you email queued for %(count)d participant.",
                "Thank-you email queued for %(count)d participants.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
        return None
    plan = plan_thank_you(edition)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Send thank-you"),
        "opts": modeladmin.model._meta,
        "edition": edition,
        "plan": plan,
        "material_count": edition.materials.count(),
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/forums/send_thank_you.html", context)


@admin.register(EditionMaterial)
class EditionMaterialAdmin(admin.ModelAdmin):
    """Files for the participants (programme, proceedings, slides), listed on their materials
    page. Its own page, not an inline of the edition: the edition form stays as it was."""

    list_display = ("title", "edition", "kind", "order", "uploaded_at")
    list_select_related = ("edition__forum",)
    list_filter = (("edition", EditionListFilter), "kind")
    search_fields = ("title", "title_vi")
    autocomplete_fields = ("edition",)
    fields = ("edition", ("title", "title_vi"), "kind", "file", "order")


class EditionAttendanceAdmin(EditionAdmin):
    """The edition admin with the actions and pieces of the edition's last days."""

    actions = (*EditionAdmin.actions, print_badges, close_attendance_action, send_thank_you_action)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not request.user.has_perm("forums.view_invitation"):
            return fieldsets
        return (*fieldsets, (_("Attendance"), {"fields": ("attendance_summary",)}))

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "attendance_summary")

    @admin.display(description=_("Check-in"))
    def attendance_summary(self, obj):
        counts = attendance_counts(obj)
        text = _("%(present)d present, %(absent)d no-shows, of %(expected)d confirmed") % {
            "present": counts.present,
            "absent": counts.absent,
            "expected": counts.expected,
        }
        desk = reverse("forums:checkin_desk", args=[obj.pk])
        materials = (
            reverse("admin:forums_editionmaterial_changelist") + f"?edition__id__exact={obj.pk}"
        )
        return format_html(
            '{} · <a href="{}">{}</a> · <a href="{}">{}</a>',
            text,
            desk,
            _("Registration desk page"),
            materials,
            _("Materials for the participants"),
        )


admin.site.unregister(Edition)
admin.site.register(Edition, EditionAttendanceAdmin)


class InvitationColumnsMixin:
    """The expert and edition columns of a row that belongs to an invitation."""

    @admin.display(description=_("expert"), ordering="invitation__expert__family_name")
    def expert_display(self, obj):
        return obj.invitation.expert.full_name

    @admin.display(description=_("edition"), ordering="invitation__edition__start_date")
    def edition_display(self, obj):
        return obj.invitation.edition


class PresenceForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the attendance is corrected (kept in the history)."),
    )

    class Meta:
        model = Presence
        fields = ("status", "reason")


@admin.register(Presence)
class PresenceAdmin(InvitationColumnsMixin, admin.ModelAdmin):
    """Attendance per participant; a change is a correction with a reason (the service)."""

    form = PresenceForm
    list_display = (
        "expert_display",
        "edition_display",
        "status",
        "source",
        "recorded_by",
        "recorded_at",
        "thanked_at",
    )
    list_select_related = ("invitation__expert", "invitation__edition__forum", "recorded_by")
    list_filter = (("invitation__edition", EditionListFilter), "status", "source")
    search_fields = ("invitation__expert__search_text",)
    readonly_fields = ("invitation_link", "source", "recorded_by", "recorded_at", "thanked_at")
    fields = ("invitation_link", "status", "reason", *readonly_fields[1:])

    def has_add_permission(self, request):
        return False  # rows come from the desk (present) and the closing (no-show)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("invitation"))
    def invitation_link(self, obj):
        url = reverse("admin:forums_invitation_change", args=[obj.invitation_id])
        return format_html('<a href="{}">{}</a>', url, obj.invitation)

    def save_model(self, request, obj, form, change):
        try:
            correct_attendance(
                invitation=obj.invitation,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except AttendanceError as error:
            self.message_user(request, error.message, messages.ERROR)

    def log_change(self, request, obj, message):
        return None  # the service wrote the admin log line, with the reason


@admin.register(Feedback)
class FeedbackAdmin(InvitationColumnsMixin, admin.ModelAdmin):
    """What participants thought: read only (they write it on their materials page)."""

    list_display = ("expert_display", "edition_display", "rating", "comment", "updated_at")
    list_select_related = ("invitation__expert", "invitation__edition__forum")
    list_filter = (("invitation__edition", EditionListFilter), "rating")
    fields = ("invitation", "rating", "comment", "created_at", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
