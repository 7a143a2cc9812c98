"""Staff admin for invitations: invite from the expert list, follow answers, send and remind.

Every write goes through forums.services; the admin only collects choices and reports outcomes.
Coordinators (forums permissions) may act; viewers see lists, counts and history only.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from academy_portal.core.admin import FoldedSearchMixin
from experts.models import Expert
from forums import services
from forums.admin.editions import EditionListFilter
from forums.models import (
    Edition,
    EmailTemplate,
    Invitation,
    InvitationEvent,
    ReminderRule,
    Session,
    SessionRole,
)
from forums.services.emails import PLACEHOLDERS, render_email

PREVIEW_TOKEN = "PREVIEW-personal-link"


def open_editions():
    return (
        Edition.objects.open_for_invitations()
        .filter(end_date__gte=timezone.localdate())
        .select_related("forum")
        .order_by("start_date")
    )


# --- inviting from the expert changelist ----------------------------------------------------


class InviteForm(forms.Form):
    edition = forms.ModelChoiceField(
        label=_("Edition"),
        queryset=Edition.objects.none(),
        help_text=_("Only editions open for invitations are listed."),
    )
    offered_session = forms.ModelChoiceField(
        label=_("Session (optional)"), queryset=Session.objects.none(), required=False
    )
    offered_role = forms.ChoiceField(
        label=_("Role (optional)"),
        choices=[("", "---------"), *SessionRole.Role.choices],
        required=False,
    )
    personal_message = forms.CharField(
        label=_("Personal message (optional)"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        required=False,
        help_text=_("Added to every selected expert's invitation email."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        editions = open_editions()
        self.fields["edition"].queryset = editions
        self.fields["offered_session"].queryset = (
            Session.objects.filter(edition__in=editions)
            .select_related("edition__forum")
            .order_by("edition__start_date", "starts_at")
        )
        self.fields["offered_session"].label_from_instance = lambda s: (
            f"{s.edition.forum.short_name} {s.edition.number}: {s.title}"
        )

    def clean(self):
        data = super().clean()
        session, edition = data.get("offered_session"), data.get("edition")
        if session and edition and session.edition_id != edition.pk:
            self.add_error(
                "offered_session", _("Choose a session of the selected edition, or none.")
            )
        if data.get("offered_role") and not session:
            self.add_error("offered_role", _("A role needs a session."))
        return data


def _preview_invitations(experts, data) -> list[dict]:
    """One rendered invitation per language among the selected experts (first expert of each)."""
    previews, seen = [], set()
    for expert in experts:
        language = expert.preferred_language or "en"
        if language in seen:
            continue
        seen.add(language)
        draft = Invitation(
            edition=data["edition"],
            expert=expert,
            offered_session=data.get("offered_session"),
            offered_role=data.get("offered_role") or "",
            personal_message=(data.get("personal_message") or "").strip(),
        )
        try:
            email = render_email(EmailTemplate.Kind.INVITATION, draft, raw_token=PREVIEW_TOKEN)
        except EmailTemplate.DoesNotExist:
            email = None
        previews.append({"expert": expert, "language": language, "email": email})
    return previews


@admin.action(description=_("Invite to edition…"), permissions=["change"])
def invite_to_edition(modeladmin, request, queryset):
    """Expert changelist action: choose the edition, preview the email, then invite and send."""
    if not request.user.has_perm("forums.add_invitation"):
        raise PermissionDenied
    experts = list(queryset.order_by("family_name", "given_name", "pk"))
    initial = {}
    # Arriving from an edition's "Invite experts" button, the edition is already chosen.
    preset = request.GET.get("not_invited_to")
    if preset and preset.isdigit():
        initial["edition"] = preset
    stage = "form"
    if "_preview" in request.POST or "_confirm" in request.POST:
        form = InviteForm(request.POST)
        if form.is_valid():
            stage = "confirm" if "_confirm" in request.POST else "preview"
    else:
        form = InviteForm(initial=initial)

    if stage == "confirm":
        data = form.cleaned_data
        outcome = invite_and_send(experts, data=data, user=request.user)
        _report_invitations(modeladmin, request, data["edition"], outcome)
        url = reverse("admin:forums_invitation_changelist")
        return HttpResponseRedirect(f"{url}?edition__id__exact={data['edition'].pk}")

    existing = {}
    if stage == "preview":
        existing = dict(
            Invitation.objects.filter(
                edition=form.cleaned_data["edition"], expert__in=experts
            ).values_list("expert_id", "status")
        )
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Invite experts to an edition"),
        "opts": modeladmin.model._meta,
        "form": form,
        "experts": experts,
        "stage": stage,
        "previews": _preview_invitations(experts, form.cleaned_data) if stage == "preview" else [],
        "already_invited": [
            (e, Invitation.Status(existing[e.pk]).label) for e in experts if e.pk in existing
        ],
        "action_name": "invite_to_edition",
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/forums/invite_experts.html", context)


def invite_and_send(experts, *, data, user) -> dict[str, list]:
    """Invite each expert (existing invitations kept) and send the new or unsent ones."""
    outcome = {"sent": [], "already": [], "problems": []}
    for expert in experts:
        try:
            invitation, created = services.invite_expert(
                data["edition"],
                expert=expert,
                invited_by=user,
                offered_session=data.get("offered_session"),
                offered_role=data.get("offered_role") or "",
                personal_message=data.get("personal_message") or "",
            )
        except services.InvitationError as exc:
            outcome["problems"].append(f"{expert}: {exc.message}")
            continue
        if not created and invitation.status != Invitation.Status.DRAFT:
            outcome["already"].append(expert)
            continue
        sent, problems = services.send_invitations([invitation], sent_by=user)
        if sent:
            outcome["sent"].append(expert)
        outcome["problems"].extend(problems)
    return outcome


def _report_invitations(modeladmin, request, edition, outcome):
    if outcome["sent"]:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d invitation to %(edition)s was sent.",
                "%(count)d invitations to %(edition)s were sent.",
                len(outcome["sent"]),
            )
            % {"count": len(outcome["sent"]), "edition": edition},
            messages.SUCCESS,
        )
    if outcome["already"]:
        modeladmin.message_user(
            request,
            _("Already invited, not sent again: %(names)s.")
            % {"names": ", ".join(str(e) for e in outcome["already"])},
            messages.WARNING,
        )
    for problem in outcome["problems"]:
        modeladmin.message_user(request, problem, messages.ERROR)


class NotInvitedToFilter(admin.SimpleListFilter):
    """Expert changelist filter: experts without an invitation to one open edition."""

    title = _("not yet invited to")
    parameter_name = "not_invited_to"

    def lookups(self, request, model_admin):
        return [(str(edition.pk), str(edition)) for edition in open_editions()]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.exclude(invitations__edition_id=int(value))
        return queryset


# --- the invitation admin -------------------------------------------------------------------


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
        if not obj.details:
            return ""
        return format_html_join(
            ", ", "{}: {}", ((key, value) for key, value in sorted(obj.details.items()))
        )


class WithdrawForm(forms.Form):
    notify = forms.BooleanField(
        label=_("Tell the experts by email that the invitation is withdrawn"), required=False
    )


@admin.register(Invitation)
class InvitationAdmin(FoldedSearchMixin, admin.ModelAdmin):
    folded_search_field = "expert__search_text"
    list_display = (
        "expert_display",
        "edition",
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
                    ("privacy_consent", "chatham_house_acknowledged"),
                    "decline_reason",
                )
            },
        ),
    )
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
            for fieldset in self.fieldsets
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

    @admin.display(description=_("expert"), ordering="expert__family_name")
    def expert_display(self, obj):
        return obj.expert.full_name

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

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if not context or "cl" not in context:
            return response
        changelist = context["cl"]
        aggregates = {
            status: Count("pk", filter=Q(status=status)) for status in Invitation.Status.values
        }
        counts = changelist.queryset.order_by().aggregate(total=Count("pk"), **aggregates)
        context["status_counts"] = [
            {
                "status": status,
                "label": label,
                "count": counts[status],
                "url": changelist.get_query_string({"status__exact": status}),
            }
            for status, label in Invitation.Status.choices
        ]
        context["status_total"] = counts["total"]
        edition_id = request.GET.get("edition__id__exact", "")
        if edition_id.isdigit():
            context["filtered_edition"] = (
                Edition.objects.select_related("forum").filter(pk=edition_id).first()
            )
        return response

    # --- actions: each calls a service and reports what happened ---

    def _done(self, request, count, singular, plural):
        self.message_user(
            request, ngettext(singular, plural, count) % {"count": count}, messages.SUCCESS
        )

    @admin.action(description=_("Send selected draft invitations"), permissions=["change"])
    def send_selected(self, request, queryset):
        sent, problems = services.send_invitations(
            queryset.select_related("edition"), sent_by=request.user
        )
        self._done(request, sent, "%(count)d invitation sent.", "%(count)d invitations sent.")
        for problem in problems:
            self.message_user(request, problem, messages.ERROR)

    @admin.action(
        description=_("Send again (a new link; the previous link stops working)"),
        permissions=["change"],
    )
    def resend_selected(self, request, queryset):
        sent = 0
        for invitation in queryset.exclude(status=Invitation.Status.DRAFT):
            try:
                services.send_invitation(invitation, sent_by=request.user)
                sent += 1
            except services.InvitationError as exc:
                self.message_user(request, f"{invitation.expert}: {exc.message}", messages.ERROR)
        self._done(request, sent, "%(count)d invitation sent again.", "%(count)d sent again.")

    @admin.action(description=_("Remind now (unanswered only)"), permissions=["change"])
    def remind_selected(self, request, queryset):
        reminded = sum(
            services.remind_invitation_now(invitation, reminded_by=request.user)
            for invitation in queryset.pending()
        )
        skipped = queryset.count() - reminded
        self._done(request, reminded, "%(count)d reminder queued.", "%(count)d reminders queued.")
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d skipped: answered, not sent, or reminded a moment ago.",
                    "%(count)d skipped: answered, not sent, or reminded a moment ago.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(
        description=_("Issue a new link (the old one stops working) and email it"),
        permissions=["change"],
    )
    def reissue_selected(self, request, queryset):
        issued = 0
        for invitation in queryset:
            try:
                services.reissue_token(invitation, issued_by=request.user, notify=True)
                issued += 1
            except services.InvitationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        self._done(request, issued, "%(count)d new link sent.", "%(count)d new links sent.")

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
                    "%(count)d invitation withdrawn.",
                    "%(count)d invitations withdrawn.",
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


# --- email templates and reminder rules -----------------------------------------------------


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ("kind", "language", "edition", "subject", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 22, "cols": 90})}


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
        sample = sample_invitation(obj)
        if sample is None:
            return _("Create an edition and an expert to see a preview.")
        email = render_email(obj.kind, sample, raw_token=PREVIEW_TOKEN, template=obj)
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


__all__ = [
    "EmailTemplateAdmin",
    "InvitationAdmin",
    "NotInvitedToFilter",
    "ReminderRuleAdmin",
    "invite_to_edition",
]
