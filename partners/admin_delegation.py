"""Staff admin of delegation requests (an institution nominates its delegates), and the
read-only list of the delegations sent under an MOU (on the MOU's change page)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .delegations import (
    DelegationError,
    check_delegation_request,
    save_delegation_request,
    send_delegation_request,
)
from .models import DelegationRequest, Nomination

SEND_PERMISSION = "partners.send_delegationrequest"
CHECKED_FIELDS = ("edition", "institution", "mou", "deadline", "max_delegates")


def with_named_count(queryset):
    return queryset.annotate(
        named_count=Count("nominations", filter=Q(nominations__withdrawn_at__isnull=True))
    )


class DelegationRequestForm(forms.ModelForm):
    class Meta:
        model = DelegationRequest
        fields = (
            "edition",
            "institution",
            "mou",
            "contact_name",
            "contact_email",
            "language",
            "max_delegates",
            "deadline",
            "message",
        )

    def clean(self):
        data = super().clean()
        probe = DelegationRequest(
            pk=self.instance.pk, **{name: data.get(name) for name in CHECKED_FIELDS}
        )
        try:
            check_delegation_request(probe)
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, messages_)
        return data


class NominationInline(admin.TabularInline):
    """Who the contact named, replaced and when: the history of the delegation."""

    model = Nomination
    fk_name = "request"
    fields = (
        "name",
        "title",
        "email",
        "language",
        "nominated_at",
        "invitation_link",
        "withdrawn_at",
        "replaced_by",
        "reason",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invitation", "replaced_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("invitation"))
    def invitation_link(self, obj):
        if obj.invitation is None:
            return "—"
        url = reverse("admin:forums_invitation_change", args=[obj.invitation_id])
        return format_html('<a href="{}">{}</a>', url, obj.invitation.get_status_display())


@admin.register(DelegationRequest)
class DelegationRequestAdmin(admin.ModelAdmin):
    form = DelegationRequestForm
    list_display = (
        "institution",
        "edition",
        "contact_name",
        "status",
        "named",
        "deadline",
        "sent_at",
    )
    list_filter = ("status",)
    list_select_related = ("institution", "edition__forum")
    search_fields = (
        "institution__name",
        "institution__acronym",
        "contact_name",
        "contact_email",
        "edition__title",
    )
    autocomplete_fields = ("institution", "mou")
    readonly_fields = ("status", "sent_at", "created_by", "created_at")
    inlines = (NominationInline,)
    actions = ("send_requests",)

    def get_queryset(self, request):
        return with_named_count(super().get_queryset(request))

    def has_add_permission(self, request):
        return super().has_add_permission(request) or request.user.has_perm(SEND_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or request.user.has_perm(SEND_PERMISSION)

    def has_send_permission(self, request):
        return request.user.has_perm(SEND_PERMISSION)

    @admin.display(description=_("delegates named"), ordering="named_count")
    def named(self, obj):
        return f"{obj.named_count} / {obj.max_delegates}"

    def save_model(self, request, obj, form, change):
        save_delegation_request(request=obj, saved_by=request.user)

    @admin.action(
        description=_("Send the selected delegation requests (a new link each)"),
        permissions=["send"],
    )
    def send_requests(self, request, queryset):
        sent = 0
        for delegation in queryset.select_related("edition__forum", "institution"):
            try:
                send_delegation_request(request=delegation, sent_by=request.user)
            except (DelegationError, ValidationError) as error:
                text = getattr(error, "message", None) or " ".join(error.messages)
                self.message_user(request, f"{delegation}: {text}", messages.ERROR)
                continue
            sent += 1
        if sent:
            self.message_user(request, _("Delegation requests sent: %(count)d.") % {"count": sent})


def delegations_table(mou) -> str:
    """The delegations sent under an MOU, as a read-only table (the MOU's change page): a
    plain field, not an inline, so saving the MOU never posts (or checks) them."""
    if mou is None or mou.pk is None:
        return "—"
    rows = with_named_count(mou.delegations.select_related("edition__forum")).order_by(
        "-created_at"
    )
    rows = [
        (
            reverse("admin:partners_delegationrequest_change", args=[d.pk]),
            d.edition,
            d.contact_name,
            d.get_status_display(),
            f"{d.named_count} / {d.max_delegates}",
            date_format(d.deadline, "j M Y"),
        )
        for d in rows
    ]
    if not rows:
        return _("No delegation has been sent under this MOU.")
    head = format_html(
        "<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>",
        _("edition"),
        _("contact"),
        _("status"),
        _("delegates named"),
        _("nomination deadline"),
    )
    body = format_html_join(
        "",
        '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
        rows,
    )
    return format_html('<table class="delegations">{}<tbody>{}</tbody></table>', head, body)
