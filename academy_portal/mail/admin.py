"""Staff admin for the outbox: read-only messages, failed ones first, Retry and Cancel actions."""

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Length
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from academy_portal.core.models import AccessLog
from academy_portal.core.privacy import can_see_personal_details
from academy_portal.core.services import record_access

from . import services
from .exports import outbox_export_response
from .models import FAILED_FIRST, OutboxAttachment, OutboxMessage
from .placeholders import DETAIL, message_markers, resolve_messages, shown_to_staff

# The body of a row queued to be written when sent (placeholders.register_content_writer).
WRITTEN_WHEN_SENT = _("[written when sent, from the answer as it was given]")


class OutboxAttachmentInline(admin.TabularInline):
    model = OutboxAttachment
    fields = ("download", "mimetype", "size_display")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        # The list shows sizes; the bytes themselves load only on download.
        return super().get_queryset(request).defer("content").annotate(byte_size=Length("content"))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download(self, attachment):
        if attachment.generator:
            # Made from the related object when sent, never stored: nothing to download here.
            return format_html(
                '{} <span class="help">{}</span>', attachment.filename, _("(made when sent)")
            )
        url = reverse(
            "admin:mail_outboxmessage_attachment",
            args=[attachment.message_id, attachment.pk],
        )
        return format_html('<a href="{}">{}</a>', url, attachment.filename)

    @admin.display(description=_("size"))
    def size_display(self, attachment):
        if attachment.generator:
            return "-"
        return filesizeformat(attachment.byte_size or 0)


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = OutboxMessage.objects.order_by("kind").values_list("kind", flat=True).distinct()
        return [(kind, kind.replace("_", " ")) for kind in kinds]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "to_email",
        "subject_short",
        "kind",
        "language",
        "status_badge",
        "attempts",
        "send_after",
        "sent_at",
        "error_short",
    )
    list_display_links = ("created_at", "to_email")
    # "created at" offers today / 7 days / month / year; no date hierarchy, whose year links
    # read every row's date on each page view.
    list_filter = ("status", KindFilter, "language", "created_at")
    search_fields = ("to_email", "to_name", "subject", "^dedup_key")
    ordering = (FAILED_FIRST.asc(), "-created_at", "-id")
    list_per_page = 50
    show_full_result_count = False
    actions = ("retry_selected", "cancel_selected", "export_csv", "export_xlsx")
    inlines = (OutboxAttachmentInline,)
    fieldsets = (
        (_("Recipient"), {"fields": ("to_name", "to_email", "reply_to", "language")}),
        (_("Message"), {"fields": ("subject_display", "text_body_display", "html_body_display")}),
        (
            _("Delivery"),
            {
                "fields": (
                    "status_badge",
                    "attempts",
                    "max_attempts",
                    "send_after",
                    "claimed_at",
                    "sent_at",
                    "last_error_display",
                    "message_id",
                )
            },
        ),
        (
            _("Origin"),
            {"fields": ("kind", "related_link", "dedup_key", "created_at", "updated_at")},
        ),
    )
    # Every field shown is read-only: the outbox is a record of what was (or will be) sent.
    readonly_fields = flatten_fieldsets(fieldsets)

    def get_queryset(self, request):
        # The change list never shows bodies; leave them in the database.
        qs = super().get_queryset(request)
        url_name = getattr(request.resolver_match, "url_name", None) or ""
        if url_name.endswith("changelist"):
            qs = qs.defer("text_body", "html_body")
        return qs

    def has_add_permission(self, request):
        return False  # emails are queued by the portal, never typed in here

    def get_urls(self):
        return [
            path(
                "<int:message_id>/attachment/<int:attachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="mail_outboxmessage_attachment",
            ),
            *super().get_urls(),
        ]

    def attachment_view(self, request, message_id, attachment_id):
        message = get_object_or_404(OutboxMessage, pk=message_id)
        if not self.has_view_permission(request, message):
            raise PermissionDenied
        attachment = get_object_or_404(
            OutboxAttachment, pk=attachment_id, message=message, generator=""
        )
        # Served as a download (never rendered in our origin), whatever its type.
        response = HttpResponse(bytes(attachment.content), content_type="application/octet-stream")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=attachment.filename
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response

    # ------------------------------------------------------------------ columns

    @admin.display(description=_("subject"), ordering="subject")
    def subject_short(self, message):
        return Truncator(shown_to_staff(message.subject)).chars(70)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, message):
        return format_html(
            '<span class="outbox-status outbox-status--{}">{}</span>',
            message.status,
            message.get_status_display(),
        )

    @admin.display(description=_("last error"))
    def error_short(self, message):
        return Truncator(message.last_error).chars(60) if message.last_error else ""

    @admin.display(description=_("last error"))
    def last_error_display(self, message):
        return format_html('<pre class="outbox-text">{}</pre>', message.last_error or "-")

    @admin.display(description=_("subject"))
    def subject_display(self, message):
        return self._shown(message, "subject")

    @admin.display(description=_("plain-text body"))
    def text_body_display(self, message):
        if message.writer:  # queued by an answer: the worker writes it just before sending
            return format_html('<pre class="outbox-text">{}</pre>', WRITTEN_WHEN_SENT)
        return format_html('<pre class="outbox-text">{}</pre>', self._shown(message, "text_body"))

    @admin.display(description=_("HTML body (source)"))
    def html_body_display(self, message):
        # Shown as escaped source: rendering mail HTML inside the admin would run its markup.
        if not message.html_body:
            return "-"
        return format_html('<pre class="outbox-text">{}</pre>', self._shown(message, "html_body"))

    @staticmethod
    def _shown(message, field: str) -> str:
        """A stored text as staff see it: no personal link ever (the row holds none, only a
        marker); personal details only for readers allowed them (see get_object)."""
        return shown_to_staff(
            getattr(message, field), details=getattr(message, "_personal_details", None)
        )

    def get_object(self, request, object_id, from_field=None):
        message = super().get_object(request, object_id, from_field)
        if message is not None and can_see_personal_details(request.user):
            # The current details of the related object, for readers allowed them (the row
            # itself holds markers); never the personal link.
            names = {name for name, kind in message_markers(message).items() if kind == DETAIL}
            if names:
                values = resolve_messages([message], kinds=[DETAIL]).get(message.pk, {})
                message._personal_details = values
        return message

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        shown = getattr(obj, "_personal_details", None)
        if shown and request.method == "GET":
            # Personal details leave the server on this page: the access log says who read
            # whose (the related object's, e.g. the invitation's, as on its own page).
            record_access(
                user=request.user,
                action=AccessLog.Action.VIEW,
                model=obj.related_content_type.model_class() or OutboxMessage,
                what=f"Outbox message {obj.pk} (staff admin): {', '.join(sorted(shown))}",
                object_ids=[obj.related_object_id],
                personal_details=True,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("about"))
    def related_link(self, message):
        if message.related_content_type_id is None:
            return "-"
        related = message.related
        if related is None:
            return _("%(type)s #%(id)s (deleted)") % {
                "type": message.related_content_type.name,
                "id": message.related_object_id,
            }
        opts = related._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[related.pk])
        except NoReverseMatch:
            return str(related)
        return format_html('<a href="{}">{}</a>', url, related)

    # ------------------------------------------------------------------ actions

    @admin.action(description=_("Retry the selected failed messages"), permissions=["change"])
    def retry_selected(self, request, queryset):
        retried = services.retry_messages(messages=queryset.only("pk"))
        skipped = queryset.count() - retried
        if retried:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message is queued again and will be sent shortly.",
                    "%(count)d messages are queued again and will be sent shortly.",
                    retried,
                )
                % {"count": retried},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected message was not retried: only failed messages can be.",
                    "%(count)d selected messages were not retried: only failed messages can be.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(
        description=_("Cancel the selected messages (never send them)"), permissions=["change"]
    )
    def cancel_selected(self, request, queryset):
        cancelled = services.cancel_messages(messages=queryset.only("pk"))
        skipped = queryset.count() - cancelled
        if cancelled:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message is cancelled and will not be sent.",
                    "%(count)d messages are cancelled and will not be sent.",
                    cancelled,
                )
                % {"count": cancelled},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected message was not cancelled: it is already sent, "
                    "cancelled or being sent right now.",
                    "%(count)d selected messages were not cancelled: they are already sent, "
                    "cancelled or being sent right now.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    # Recipients' names and emails (no bodies): logged (core.AccessLog).
    @admin.action(description=_("Export selected as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return outbox_export_response(queryset, user=request.user, file_format="csv")

    @admin.action(description=_("Export selected as Excel (.xlsx)"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        return outbox_export_response(queryset, user=request.user, file_format="xlsx")

    class Media:
        css = {"all": ("css/mail-admin.css",)}
