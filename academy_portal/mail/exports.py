"""The outbox export: who was emailed what and when (no bodies), by the export engine.

Recipients are people, so every export writes the access log.
"""

from academy_portal.core.exports import Column, Export

from .models import OutboxMessage


class OutboxExport(Export):
    model = OutboxMessage
    file_stem = "outbox"
    what = "Outbox export"
    order = ("-created_at", "-pk")
    logged = True

    def rows_queryset(self):
        # Bodies can be large and are not exported: leave them in the database.
        return super().rows_queryset().defer("text_body", "html_body")

    def columns(self):
        field = OutboxMessage._meta.get_field
        return [
            Column(field("created_at").verbose_name, lambda m: m.created_at),
            Column(field("to_name").verbose_name, lambda m: m.to_name),
            Column(field("to_email").verbose_name, lambda m: m.to_email),
            Column(field("subject").verbose_name, lambda m: m.subject),
            Column(field("kind").verbose_name, lambda m: m.kind),
            Column(field("language").verbose_name, lambda m: m.language),
            Column(field("status").verbose_name, lambda m: m.get_status_display()),
            Column(field("attempts").verbose_name, lambda m: m.attempts),
            Column(field("send_after").verbose_name, lambda m: m.send_after),
            Column(field("sent_at").verbose_name, lambda m: m.sent_at),
            Column(field("last_error").verbose_name, lambda m: m.last_error),
        ]


def outbox_export_response(queryset, *, user, file_format: str):
    """The download of the messages in `queryset` for `user`: logged first, then streamed."""
    return OutboxExport(user=user).response(queryset, file_format=file_format)
