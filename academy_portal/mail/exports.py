"""The outbox export: who was emailed what and when (no bodies), by the export engine.

Recipients are people, so every export writes the access log.
"""

from academy_portal.core.exports import Column, Export, field_label

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
        return [
            Column(field_label(OutboxMessage, "created_at"), lambda m: m.created_at),
            Column(field_label(OutboxMessage, "to_name"), lambda m: m.to_name),
            Column(field_label(OutboxMessage, "to_email"), lambda m: m.to_email),
            Column(field_label(OutboxMessage, "subject"), lambda m: m.subject),
            Column(field_label(OutboxMessage, "kind"), lambda m: m.kind),
            Column(field_label(OutboxMessage, "language"), lambda m: m.language),
            Column(field_label(OutboxMessage, "status"), lambda m: m.get_status_display()),
            Column(field_label(OutboxMessage, "attempts"), lambda m: m.attempts),
            Column(field_label(OutboxMessage, "send_after"), lambda m: m.send_after),
            Column(field_label(OutboxMessage, "sent_at"), lambda m: m.sent_at),
            Column(field_label(OutboxMessage, "last_error"), lambda m: m.last_error),
        ]


def outbox_export_response(queryset, *, user, file_format: str):
    """The download of the messages in `queryset` for `user`: logged first, then streamed."""
    return OutboxExport(user=user).response(queryset, file_format=file_format)
