"""Inviting experts from the expert changelist: choose the edition, preview, invite and send.

The action is registered on the Expert admin (experts/admin.py) with the filter below; the work
itself is `forums.services.invite_and_send`.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from forums import services
from forums.models import Edition, EmailTemplate, Invitation, Session, SessionRole
from forums.services.emails import render_email

PREVIEW_TOKEN = "PREVIEW-personal-link"


def open_editions():
    return (
        Edition.objects.open_for_invitations()
        .filter(end_date__gte=timezone.localdate())
        .select_related("forum")
        .order_by("start_date")
    )


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
    experts = list(queryset.order_by("name_sort_key", "pk"))
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
        offer = {
            "experts": experts,
            "invited_by": request.user,
            "offered_session": data.get("offered_session"),
            "offered_role": data.get("offered_role") or "",
            "personal_message": data.get("personal_message") or "",
        }
        outcome = services.invite_and_send_or_queue(data["edition"], **offer)
        if outcome.in_background:  # too many to send within the request: workers send them
            _report_background(modeladmin, request, data["edition"], outcome)
        else:
            _report_invitations(modeladmin, request, data["edition"], outcome)
        url = reverse("admin:forums_invitation_changelist")
        return HttpResponseRedirect(f"{url}?edition__id__exact={data['edition'].pk}")

    # "Select all N" on the expert list posts the visible page's ids and select_across: carry
    # both through the form (not thousands of ids, past DATA_UPLOAD_MAX_NUMBER_FIELDS).
    select_across = request.POST.get("select_across") == "1"
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
        "selected_ids": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        "select_across": select_across,
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


def background_message(count: int, edition=None) -> str:
    """ "Sending 1,234 invitations in the background; …", with the language's digit grouping."""
    values = {"count": formats.number_format(count, force_grouping=True), "edition": edition}
    if edition is None:
        return (
            ngettext(
                "Sending %(count)s invitation in the background; the list shows its status "
                "as it goes out.",
                "Sending %(count)s invitations in the background; the list shows their status "
                "as they go out.",
                count,
            )
            % values
        )
    return (
        ngettext(
            "Sending %(count)s invitation to %(edition)s in the background; the list shows its "
            "status as it goes out.",
            "Sending %(count)s invitations to %(edition)s in the background; the list shows "
            "their status as they go out.",
            count,
        )
        % values
    )


def _report_background(modeladmin, request, edition, outcome):
    if outcome.queued:
        modeladmin.message_user(
            request, background_message(outcome.queued, edition), messages.SUCCESS
        )
    _report_already(modeladmin, request, outcome.already)
    for problem in outcome.problems:
        modeladmin.message_user(request, problem, messages.ERROR)


# Names listed in the "already invited" message; thousands would bury the page.
MAX_NAMES_LISTED = 20


def _report_already(modeladmin, request, experts):
    if not experts:
        return
    names = ", ".join(str(e) for e in experts[:MAX_NAMES_LISTED])
    if len(experts) > MAX_NAMES_LISTED:
        more = len(experts) - MAX_NAMES_LISTED
        names += " " + ngettext("and %(count)d more", "and %(count)d more", more) % {"count": more}
    modeladmin.message_user(
        request,
        _("Already invited, not sent again: %(names)s.") % {"names": names},
        messages.WARNING,
    )


def _report_invitations(modeladmin, request, edition, outcome):
    if outcome.sent:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d invitation to %(edition)s was sent.",
                "%(count)d invitations to %(edition)s were sent.",
                len(outcome.sent),
            )
            % {"count": len(outcome.sent), "edition": edition},
            messages.SUCCESS,
        )
    _report_already(modeladmin, request, outcome.already)
    for problem in outcome.problems:
        modeladmin.message_user(request, problem, messages.ERROR)


def invite_list_title(request) -> str | None:
    """The expert list's title when reached from an edition's "Invite experts": which edition
    the coordinator is inviting to (None otherwise, keeping the admin's own title)."""
    value = request.GET.get(NotInvitedToFilter.parameter_name, "")
    if not value.isdigit():
        return None
    edition = Edition.objects.select_related("forum").filter(pk=int(value)).first()
    if edition is None:
        return None
    return _("Invite experts to %(edition)s") % {"edition": edition}


class NotInvitedToFilter(admin.SimpleListFilter):
    """Expert changelist filter: experts without an invitation to one edition.

    Set by the edition page's "Invite experts" button; the sidebar shows it only while it is
    active (so the expert list costs no extra query otherwise) and "All" clears it.
    """

    title = _("not yet invited to")
    parameter_name = "not_invited_to"

    def lookups(self, request, model_admin):
        value = self.value()
        if not (value and value.isdigit()):
            return []
        edition = Edition.objects.select_related("forum").filter(pk=int(value)).first()
        return [(value, str(edition))] if edition else []

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.exclude(invitations__edition_id=int(value))
        return queryset
