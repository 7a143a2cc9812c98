"""Staff admin for invitations: counts by status, history, and send/remind/withdraw actions.

Every write goes through forums.services; the admin only collects choices and reports outcomes.
Coordinators (forums permissions) may act; viewers see lists, counts and history only.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from academy_portal.core.admin import FoldedSearchMixin
from academy_portal.core.privacy import (
    PERSONAL_DETAIL_FIELDS,
    can_see_personal_details,
    shown_value,
)
from forums import services
from forums.admin.editions import EditionListFilter
from forums.models import Edition, Invitation, InvitationEvent, ReminderRule, Session, SessionRole
from forums.resources import invitation_export_response

# The email template and reminder admins register with this module; the expert list's
# "Invite to edition…" action and filter are imported from here by experts/admin.py.
from .email_templates import EmailTemplateAdmin, ReminderRuleAdmin
from .inviting import NotInvitedToFilter, background_message, invite_to_edition
from .personal_details import PersonalDetailsAdminMixin
from .visa_letters import PersonalDetailsActions, issue_letters_action


class InvitationEventInline(admin.TabularInline):
    model = InvitationEvent
    verbose_name_plural = _("History")
    fields = ("created_at", "kind", "by_display", "details_display")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("created_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def get_fields(self, request, obj=None):
        if can_see_personal_details(request.user):
            return self.fields
        return (*self.fields[:-1], "details_withheld_display")

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("by"))
    def by_display(self, obj):
        return obj.actor_label

    @admin.display(description=_("details"))
    def details_display(self, obj):
        return format_html_join(", ", "{}: {}", readable_details(obj.details or {}))

    @admin.display(description=_("details"))
    def details_withheld_display(self, obj):
        # Events record no answer content; should one ever do, the page's rule applies.
        return format_html_join(
            ", ", "{}: {}", readable_details(obj.details or {}, personal_visible=False)
        )


DETAIL_LABELS = {
    "answer": _("answer"),
    "status": _("status now"),
    "previous_status": _("status before"),
    "offered_role": _("role"),
    "offered_session": _("session"),
    "audience": _("reminder for"),
    "days": _("days before"),
    "manual": _("sent by hand"),
    "emailed": _("expert emailed"),
    "reason": _("reason"),
    "deadline": _("deadline"),
    "waitlisted_at": _("waitlisted since"),
}
STATUS_DETAILS = {"answer", "status", "previous_status"}


def readable_details(details: dict, *, personal_visible: bool = True):
    """(label, value) pairs of an event's details, empty values left out, statuses by name."""
    for key, value in details.items():
        if value in ("", None, False) or key == "rule":
            continue
        if key in PERSONAL_DETAIL_FIELDS:
            value = shown_value(value, visible=personal_visible)
        elif key in STATUS_DETAILS and value in Invitation.Status.values:
            value = Invitation.Status(value).label
        elif key == "audience" and value in ReminderRule.Audience.values:
            value = ReminderRule.Audience(value).label
        elif key == "offered_role" and value in SessionRole.Role.values:
            value = SessionRole.Role(value).label
        elif value is True:
            value = _("yes")
        yield DETAIL_LABELS.get(key, key.replace("_", " ")), value


# Names listed per group on the reminder confirmation; the counts say how many in all.
MAX_LISTED = 100


class WithdrawForm(forms.Form):
    notify = forms.BooleanField(
        label=_("Tell the experts by email that the invitation is withdrawn"), required=False
    )


class InvitationChangeList(ChangeList):
    """Counts the listed invitations by status before it pages them: with no status filter
    chosen the counts add up to the list's length, which then needs no COUNT(*) of its own (on
    200,000 invitations each is a scan)."""

    def get_results(self, request):
        self.status_counts = self.model_admin.count_by_status(request, self)
        status_chosen = any(
            "status__exact" in spec.expected_parameters() and spec.used_parameters
            for spec in self.filter_specs
        )
        # Read by InvitationAdmin.get_paginator, which Django calls from get_results.
        request.invitation_list_length = None if status_chosen else sum(self.status_counts.values())
        super().get_results(request)


@admin.register(Invitation)
class InvitationAdmin(
    PersonalDetailsActions, PersonalDetailsAdminMixin, FoldedSearchMixin, admin.ModelAdmin
):
    folded_search_fields = ("expert__search_text",)
    folded_search_covers = ("expert__given_name", "expert__family_name", "expert__email")
    # The header's counts by status give the total; no second count of every invitation.
    show_full_result_count = False
    list_display = (
        "expert_display",
        "edition_display",
        "status_display",
        "offered_role",
        "attendance",
        "needs_visa_letter",
        "sent_at",
        "responded_at",
    )
    list_select_related = ("expert", "edition__forum")
    list_filter = (
        ("edition", EditionListFilter),
        "status",
        "offered_role",
        "needs_visa_letter",
        "attendance",
        "needs_hotel",
    )
    search_fields = ("expert__given_name", "expert__family_name", "expert__email")
    ordering = ("-created_at", "-id")
    inlines = (InvitationEventInline,)
    actions = (
        "send_selected",
        "resend_selected",
        "remind_selected",
        "withdraw_selected",
        "reissue_selected",
        "export_csv",
        "export_xlsx",
        issue_letters_action,
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "edition",
                    "expert",
                    "status_display",
                    "offered_session",
                    "offered_role",
                    "personal_message",
                    "invited_by",
                )
            },
        ),
        (
            _("Dates"),
            {
                "fields": (
                    ("created_at", "sent_at"),
                    ("responded_at", "waitlisted_at"),
                    ("token_issued_at", "token_revoked_at"),
                )
            },
        ),
        (
            _("Answer"),
            {
                "fields": (
                    "attendance",
                    "sessions_display",
                    ("arrival_date", "departure_date"),
                    ("needs_hotel", "needs_visa_letter"),
                    ("passport_name", "passport_nationality"),
                    "dietary_needs",
                    "accessibility_needs",
                    "accompanying_person",
                    ("privacy_consent", "privacy_notice_version", "privacy_consented_at"),
                    "chatham_house_acknowledged",
                    "decline_reason",
                )
            },
        ),
    )
    # Readers without forums.access_personal_details see the detail fields replaced by
    # "given (restricted)" lines, cannot search or filter by them (PersonalDetailsAdminMixin).
    # Only the offer is edited here, and only before sending; everything else comes from the
    # services (answers from the expert, statuses from actions).
    editable_while_draft = ("offered_session", "offered_role", "personal_message")

    class Media:
        css = {"all": ("css/invitations-admin.css",)}

    def get_queryset(self, request):
        # Also used by the changelist, which then skips list_select_related: name them all.
        return (
            super()
            .get_queryset(request)
            .select_related("expert", "edition__forum", "offered_session", "invited_by")
        )

    def get_readonly_fields(self, request, obj=None):
        names = [
            name
            for fieldset in self.get_fieldsets(request, obj)
            for line in fieldset[1]["fields"]
            for name in (line if isinstance(line, tuple) else (line,))
        ]
        if obj is not None and obj.status == Invitation.Status.DRAFT:
            return [n for n in names if n not in self.editable_while_draft]
        return names

    def has_add_permission(self, request):
        # Invitations are created with "Invite to edition…" on the expert list.
        return False

    def has_delete_permission(self, request, obj=None):
        # A sent invitation keeps its history: withdraw it instead.
        if obj is not None and obj.status != Invitation.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.status != Invitation.Status.DRAFT:
            # Nothing is editable once sent: no save buttons that would do nothing.
            context.update(show_save=False, show_save_and_continue=False)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "offered_session":
            object_id = request.resolver_match.kwargs.get("object_id")
            edition_id = (
                Invitation.objects.filter(pk=object_id).values_list("edition_id", flat=True).first()
                if object_id and str(object_id).isdigit()
                else None
            )
            kwargs["queryset"] = Session.objects.filter(edition_id=edition_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("expert"), ordering="expert__name_sort_key")
    def expert_display(self, obj):
        return obj.expert.full_name

    @admin.display(description=_("edition"), ordering="edition__start_date")
    def edition_display(self, obj):
        return f"{obj.edition.forum.short_name} {obj.edition.number}"

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj):
        return format_html(
            '<span class="invitation-status invitation-status--{}">{}</span>',
            obj.status,
            obj.get_status_display(),
        )

    @admin.display(description=_("sessions attending"))
    def sessions_display(self, obj):
        return ", ".join(str(s) for s in obj.sessions_attending.all()) or "-"

    # --- counts in the changelist header: one aggregate query over the filtered list ---

    def get_changelist(self, request, **kwargs):
        return InvitationChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(
            request, queryset, per_page, orphans, allow_empty_first_page
        )
        length = getattr(request, "invitation_list_length", None)
        if length is not None:
            paginator.count = length  # a cached_property: the counts by status gave it
        return paginator

    def count_by_status(self, request, changelist) -> dict[str, int]:
        """The filtered list's invitations by status, in one GROUP BY (PostgreSQL reads the
        status index); every filter but the status one applies (see _count_base)."""
        return dict(
            self._count_base(request, changelist)
            .order_by()
            .values_list("status")
            .annotate(n=Count("*"))
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if not context or "cl" not in context:
            return response
        changelist = context["cl"]
        counts = changelist.status_counts
        context["status_counts"] = [
            {
                "status": status,
                "label": label,
                "count": counts.get(status, 0),
                "url": changelist.get_query_string({"status__exact": status}),
            }
            for status, label in Invitation.Status.choices
        ]
        context["status_total"] = changelist.result_count
        edition_id = request.GET.get("edition__id__exact", "")
        if edition_id.isdigit():
            context["filtered_edition"] = (
                Edition.objects.select_related("forum").filter(pk=edition_id).first()
            )
        return response

    def _count_base(self, request, changelist):
        """The list the counts are of: every filter but the status one, so choosing
        "Accepted" does not turn the other statuses' counts to 0 (and "Shown" still says how
        many the list shows)."""
        status_filter = next(
            (
                spec
                for spec in changelist.filter_specs
                if "status__exact" in spec.expected_parameters() and spec.has_output()
            ),
            None,
        )
        if status_filter is None or not status_filter.used_parameters:
            return changelist.queryset
        return changelist.get_queryset(
            request, exclude_parameters=status_filter.expected_parameters()
        )

    # --- actions: each calls a service and reports what happened ---

    def _done(self, request, count, message):
        # `message` is an ngettext(...) call at the caller, so makemessages finds the strings.
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    # Whether an action runs in the request or in the background is the service's decision
    # (forums.services.batches.runs_in_background); the counts by status show the progress.

    def _queued(self, request, message, count):
        values = {"count": formats.number_format(count, force_grouping=True)}
        self.message_user(request, message % values, messages.SUCCESS)

    @admin.action(description=_("Send selected draft invitations"), permissions=["change"])
    def send_selected(self, request, queryset):
        ids = list(
            queryset.filter(status=Invitation.Status.DRAFT)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        outcome = services.send_or_queue_invitations(ids, sent_by=request.user)
        if outcome.in_background:
            self.message_user(request, background_message(outcome.queued), messages.SUCCESS)
            return
        self._done(
            request,
            outcome.done,
            ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", outcome.done),
        )
        for problem in outcome.problems:
            self.message_user(request, problem, messages.ERROR)

    @admin.action(
        description=_("Send again (a new link; the previous link stops working)"),
        permissions=["change"],
    )
    def resend_selected(self, request, queryset):
        outcome = services.resend_or_queue_invitations(queryset, sent_by=request.user)
        if outcome.in_background:
            self._queued(
                request,
                ngettext(
                    "Sending %(count)s invitation again in the background; the list shows "
                    "when it went out (drafts are not sent again: use “Send”).",
                    "Sending %(count)s invitations again in the background; the list shows "
                    "when they went out (drafts are not sent again: use “Send”).",
                    outcome.queued,
                ),
                outcome.queued,
            )
            return
        self._done(
            request,
            outcome.done,
            ngettext("%(count)d invitation sent again.", "%(count)d sent again.", outcome.done),
        )
        self._report_skipped(request, outcome)

    @admin.action(description=_("Remind now (unanswered only)…"), permissions=["change"])
    def remind_selected(self, request, queryset):
        if "_confirm" not in request.POST:
            return self._remind_confirmation(request, queryset)
        outcome = services.remind_or_queue_invitations(queryset, reminded_by=request.user)
        if outcome.in_background:
            self._queued(
                request,
                ngettext(
                    "Sending %(count)s reminder in the background (unanswered invitations "
                    "only); each appears in the invitation's history as it goes out.",
                    "Sending %(count)s reminders in the background (unanswered invitations "
                    "only); each appears in the invitation's history as it goes out.",
                    outcome.queued,
                ),
                outcome.queued,
            )
            return
        self._done(
            request,
            outcome.done,
            ngettext("%(count)d reminder queued.", "%(count)d reminders queued.", outcome.done),
        )
        if outcome.skipped:
            # Who, and why: e.g. a double click, or an invitation sent a moment ago.
            names = "; ".join(
                f"{skipped.invitation.expert} ({skipped.reason})" for skipped in outcome.skipped
            )
            self.message_user(
                request,
                ngettext(
                    "%(count)d skipped: %(names)s.",
                    "%(count)d skipped: %(names)s.",
                    len(outcome.skipped),
                )
                % {"count": len(outcome.skipped), "names": names},
                messages.WARNING,
            )

    def _remind_confirmation(self, request, queryset):
        """Who will be reminded and who skipped, and why (the sending's own rule); nothing
        is sent until the coordinator confirms."""
        plan = services.plan_reminders(queryset)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Remind experts now"),
            "opts": self.model._meta,
            "plan": plan,
            "to_remind": plan.to_remind[:MAX_LISTED],
            "to_remind_more": max(len(plan.to_remind) - MAX_LISTED, 0),
            "skipped": plan.skipped[:MAX_LISTED],
            "skipped_more": max(len(plan.skipped) - MAX_LISTED, 0),
            # The service's own test: how many of the selection are unanswered.
            "in_background": services.runs_in_background(
                sum(1 for i in plan.invitations if i.status == Invitation.Status.SENT)
            ),
            # "Select all N" posts the visible page's ids and select_across; the form posts
            # both back to the same (filtered) list URL, not thousands of ids.
            "selected_ids": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across") == "1",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/forums/remind_invitations.html", context)

    @admin.action(
        description=_("Issue a new link (the old one stops working) and email it"),
        permissions=["change"],
    )
    def reissue_selected(self, request, queryset):
        outcome = services.resend_or_queue_invitations(
            queryset, sent_by=request.user, new_link_only=True
        )
        if outcome.in_background:
            self._queued(
                request,
                ngettext(
                    "Sending %(count)s new link in the background; the invitation's history "
                    "shows when it went out.",
                    "Sending %(count)s new links in the background; each invitation's history "
                    "shows when it went out.",
                    outcome.queued,
                ),
                outcome.queued,
            )
            return
        self._done(
            request,
            outcome.done,
            ngettext("%(count)d new link sent.", "%(count)d new links sent.", outcome.done),
        )
        self._report_skipped(request, outcome)

    def _report_skipped(self, request, outcome):
        if outcome.skipped:
            self.message_user(
                request,
                _(
                    "Not sent, because not sent yet (use “Send”) or given a new link less than "
                    "a minute ago: %(names)s."
                )
                % {"names": ", ".join(str(i.expert) for i in outcome.skipped)},
                messages.WARNING,
            )
        for problem in outcome.problems:
            self.message_user(request, problem, messages.ERROR)

    # Coordinators only, not every viewer; within that, passport and travel details are
    # written only for readers with the personal-details permission (masked otherwise).
    # "Select all N" (select_across) hands the whole filtered list here without posting ids.
    @admin.action(description=_("Export selected as CSV (with answers)"), permissions=["change"])
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description=_("Export selected as Excel (with answers)"), permissions=["change"])
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    def _export(self, request, queryset, file_format):
        return invitation_export_response(queryset, user=request.user, file_format=file_format)

    @admin.action(description=_("Withdraw selected invitations…"), permissions=["change"])
    def withdraw_selected(self, request, queryset):
        invitations = list(
            queryset.exclude(status=Invitation.Status.WITHDRAWN).select_related("expert")
        )
        if "_confirm" in request.POST:
            form = WithdrawForm(request.POST)
            if form.is_valid():
                for invitation in invitations:
                    services.withdraw_invitation(
                        invitation, withdrawn_by=request.user, notify=form.cleaned_data["notify"]
                    )
                self._done(
                    request,
                    len(invitations),
                    ngettext(
                        "%(count)d invitation withdrawn.",
                        "%(count)d invitations withdrawn.",
                        len(invitations),
                    ),
                )
                return None
        else:
            form = WithdrawForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Withdraw invitations"),
            "opts": self.model._meta,
            "form": form,
            "invitations": invitations,
            "accepted": [i for i in invitations if i.status == Invitation.Status.ACCEPTED],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/forums/withdraw_invitations.html", context)


__all__ = [
    "EmailTemplateAdmin",
    "InvitationAdmin",
    "NotInvitedToFilter",
    "ReminderRuleAdmin",
    "invite_to_edition",
]
